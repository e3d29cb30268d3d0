/**
 * A model as browsers fetch it for dreaming on their device: a manifest (models/<name>.json) and
 * the graph's ONNX bytes in a file named after their content, so browsers may keep it forever.
 */
import { createHash } from 'node:crypto';
import { modelManifest, type ModelManifest } from '../../core/models/manifest.js';
import type { LoadedModel } from '../../core/models/types.js';
import { encodeModel } from '../../core/onnx/codec.js';

export interface DeviceModelFiles {
  manifest: ModelManifest;
  /** The graph's file name, beside the manifest. */
  graphFile: string;
  graph: Uint8Array;
}

export function deviceModelFiles(model: LoadedModel): DeviceModelFiles {
  const graph = encodeModel(model.model);
  const hash = createHash('sha256').update(graph).digest('hex').slice(0, 16);
  const graphFile = `${model.name}-${hash}.onnx`;
  return { manifest: modelManifest(model, graphFile, graph.length), graphFile, graph };
}

/** The manifest's file name of a model. */
export const manifestFile = (model: string): string => `${model}.json`;
