/** Dream backends on this host: a model from the registry, compiled by the engine and run by onnxruntime-node. */
import { modelBackend as coreModelBackend, type ModelBackendOptions } from '../../core/dream/model-backend.js';
import type { DreamBackend } from '../../core/dream/backend.js';
import type { LoadedModel } from '../../core/models/types.js';
import { loadModel } from '../models/index.js';
import type { HostSessionOptions } from '../runtime/engine.js';
import { ortRuntime } from '../runtime/ort.js';

export type { ModelBackendOptions } from '../../core/dream/model-backend.js';
/** A backend's options on this host: the engine's, and the device its sessions run on. */
export type HostBackendOptions = ModelBackendOptions & HostSessionOptions;

export async function createModelBackend(modelName: string, opts: HostBackendOptions = {}): Promise<DreamBackend> {
  return modelBackend(await loadModel(modelName), opts);
}

/** The backend of a loaded model (see the core modelBackend). */
export function modelBackend(model: LoadedModel, { device = 'cpu', ...opts }: HostBackendOptions = {}): DreamBackend {
  return coreModelBackend(model, ortRuntime(device), opts);
}
