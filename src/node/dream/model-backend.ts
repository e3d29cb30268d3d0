/** Dream backends on this host: a model from the registry, compiled by the engine and run by onnxruntime-node. */
import { modelBackend as coreModelBackend, type ModelBackendOptions } from '../../core/dream/model-backend.js';
import type { DreamBackend } from '../../core/dream/backend.js';
import type { LoadedModel } from '../../core/models/types.js';
import { loadModel } from '../models/index.js';
import { nodeRuntime } from '../runtime/ort.js';

export type { ModelBackendOptions } from '../../core/dream/model-backend.js';

export async function createModelBackend(modelName: string, opts: ModelBackendOptions = {}): Promise<DreamBackend> {
  return modelBackend(await loadModel(modelName), opts);
}

/** The backend of a loaded model (see the core modelBackend). */
export function modelBackend(model: LoadedModel, opts: ModelBackendOptions = {}): DreamBackend {
  return coreModelBackend(model, nodeRuntime, opts);
}
