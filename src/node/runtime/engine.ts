/**
 * The engine on this host: gradient and activation sessions of a loaded model's layers, run by
 * onnxruntime-node.
 */
import type { Objective } from '../../core/autodiff/objective.js';
import * as engine from '../../core/engine/index.js';
import type { LoadedModel } from '../../core/models/types.js';
import { findLayer } from '../../core/models/layers.js';
import { nodeRuntime } from './ort.js';

/** One session computing `objective` and d(objective)/d(tile) for tiles of one shape. */
export async function createGradientSession(
  loaded: LoadedModel,
  objective: Objective,
  tile: engine.TileShape,
  opts: engine.GradientSessionOptions = {},
): Promise<engine.GradientSession> {
  for (const term of objective.terms) findLayer(loaded, term.layer);
  return engine.createGradientSession(loaded, objective, tile, nodeRuntime, opts);
}

/** One session returning a layer's activation (NCHW) for images of one size: guide features. */
export async function createActivationSession(
  loaded: LoadedModel,
  layer: string,
  size: engine.TileShape,
  opts: engine.SessionOptions = {},
): Promise<engine.ActivationSession> {
  findLayer(loaded, layer);
  return engine.createActivationSession(loaded, layer, size, nodeRuntime, opts);
}
