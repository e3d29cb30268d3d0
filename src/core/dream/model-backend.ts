/** The real gradient source: a loaded model compiled by the engine, one session per objective and tile shape. */
import type { Objective } from '../autodiff/objective.js';
import { createActivationSession, createGradientSession, type SessionOptions } from '../engine/index.js';
import type { GradientSession } from '../engine/gradient-session.js';
import type { RgbImage } from '../image/rgb.js';
import { findLayer, loadModel } from '../../node/models/index.js';
import type { LoadedModel } from '../models/types.js';
import type { DreamBackend } from './backend.js';
import { classTarget } from './class-target.js';
import type { DreamLayer } from './options.js';
import { SessionCache } from './session-cache.js';
import type { TileShape } from './tiles.js';

export interface ModelBackendOptions extends SessionOptions {
  /** Where gradient sessions are kept (and how many). Default: all of them until `release()`. */
  sessionCache?: SessionCache<GradientSession>;
}

export async function createModelBackend(modelName: string, opts: ModelBackendOptions = {}): Promise<DreamBackend> {
  return modelBackend(await loadModel(modelName), opts);
}

/**
 * Sessions are cached by objective and tile shape (until `release()`, or as `sessionCache`
 * bounds them), so dreaming many frames of one size compiles each session once.
 */
export function modelBackend(
  model: LoadedModel,
  { sessionCache: sessions = new SessionCache(), ...opts }: ModelBackendOptions = {},
): DreamBackend {
  // After resolveClass: the model with its logits listed as a layer the engine may differentiate.
  let engineModel = model;
  return {
    minInputSize: model.minInputSize,

    resolveClass(label: string) {
      const resolved = classTarget(model, label);
      engineModel = resolved.model;
      return resolved.target;
    },

    resolveLayers(layers: DreamLayer[], channels?: number[]): DreamLayer[] {
      const chosen = layers.length > 0 ? layers : [{ name: model.defaultLayer, weight: 1 }];
      for (const { name } of chosen) {
        const info = findLayer(model, name);
        const outOfRange = channels?.find((c) => c >= info.channels);
        if (outOfRange !== undefined) {
          throw new Error(
            `channel ${outOfRange} is out of range: layer '${name}' has channels 0 to ${info.channels - 1}`,
          );
        }
      }
      return chosen;
    },

    gradientSession(objective: Objective, tile: TileShape): Promise<GradientSession> {
      const key = JSON.stringify([objective, tile.height, tile.width]);
      return sessions.get(key, tile.height * tile.width, () =>
        createGradientSession(engineModel, objective, tile, opts),
      );
    },

    async activations(layer: string, image: RgbImage) {
      const session = await createActivationSession(model, layer, { height: image.height, width: image.width }, opts);
      try {
        return await session.run(planar(image));
      } finally {
        await session.release();
      }
    },

    release: () => sessions.releaseAll(),
  };
}

/** Interleaved HWC to the network's NCHW layout. */
function planar(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    out[p] = image.data[3 * p]!;
    out[p + plane] = image.data[3 * p + 1]!;
    out[p + 2 * plane] = image.data[3 * p + 2]!;
  }
  return out;
}
