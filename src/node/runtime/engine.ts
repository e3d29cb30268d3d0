/**
 * The engine on this host: gradient and activation sessions of a loaded model's layers, run by
 * onnxruntime-node on a chosen device (see device.ts; default the CPU).
 */
import type { Objective } from '../../core/autodiff/objective.js';
import * as engine from '../../core/engine/index.js';
import type { LoadedModel } from '../../core/models/types.js';
import { findLayer } from '../../core/models/layers.js';
import type { OrtDevice } from './device.js';
import { ortRuntime } from './ort.js';

export interface HostSessionOptions {
  /** Where the session runs (default cpu); chooseDevice() says whether a GPU device works here. */
  device?: OrtDevice;
}

/** The runtime on `device`, once every layer is known to the model (a one-line error otherwise). */
function runtimeFor(loaded: LoadedModel, layers: string[], device: OrtDevice = 'cpu'): engine.Runtime {
  for (const layer of layers) findLayer(loaded, layer);
  return ortRuntime(device);
}

/** One session computing `objective` and d(objective)/d(tile) for tiles of one shape. */
export async function createGradientSession(
  loaded: LoadedModel,
  objective: Objective,
  tile: engine.TileShape,
  { device, ...opts }: engine.GradientSessionOptions & HostSessionOptions = {},
): Promise<engine.GradientSession> {
  const runtime = runtimeFor(
    loaded,
    objective.terms.map((t) => t.layer),
    device,
  );
  return engine.createGradientSession(loaded, objective, tile, runtime, opts);
}

/** One session returning a layer's activation (NCHW) for images of one size: guide features. */
export async function createActivationSession(
  loaded: LoadedModel,
  layer: string,
  size: engine.TileShape,
  { device, ...opts }: engine.SessionOptions & HostSessionOptions = {},
): Promise<engine.ActivationSession> {
  return engine.createActivationSession(loaded, layer, size, runtimeFor(loaded, [layer], device), opts);
}
