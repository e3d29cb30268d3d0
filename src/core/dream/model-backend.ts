/**
 * The real gradient source: a loaded model compiled by the engine and run by a host's runtime.
 * One gradient program per objective structure and tile shape serves every channel list.
 */
import { checkChannels, objectiveStructureKey, type Objective } from '../autodiff/objective.js';
import {
  createActivationSession,
  createGradientProgram,
  type GradientProgram,
  type Runtime,
  type SessionOptions,
  type TileShape,
} from '../engine/index.js';
import { toPlanar } from '../image/planar.js';
import type { RgbImage } from '../image/rgb.js';
import { findLayer } from '../models/layers.js';
import type { LoadedModel } from '../models/types.js';
import type { DreamBackend } from './backend.js';
import { classTarget } from './class-target.js';
import type { DreamLayer } from './options.js';
import { SessionCache } from './session-cache.js';

export interface ModelBackendOptions extends SessionOptions {
  /** Where gradient programs are kept (and how many). Default: all of them until `release()`. */
  sessionCache?: SessionCache<GradientProgram>;
}

/**
 * Programs are cached by model, objective structure and tile shape (until `release()`, or as
 * `sessionCache` bounds them), so dreaming many frames of one size, or many channels of one
 * layer, compiles each program once.
 */
export function modelBackend(
  model: LoadedModel,
  runtime: Runtime,
  { sessionCache: programs = new SessionCache(), ...opts }: ModelBackendOptions = {},
): DreamBackend {
  return {
    minInputSize: model.minInputSize,

    resolveClass: (label: string) => classTarget(model, label),

    resolveLayers(layers: DreamLayer[], channels?: number[]): DreamLayer[] {
      const chosen = layers.length > 0 ? layers : [{ name: model.defaultLayer, weight: 1 }];
      return chosen.map(({ name, weight }) => {
        const info = findLayer(model, name);
        if (channels) checkChannels(name, info.channels, channels);
        return { name: info.name, weight };
      });
    },

    async gradientSession(objective: Objective, tile: TileShape) {
      const key = JSON.stringify([model.name, objectiveStructureKey(objective), tile.height, tile.width]);
      const program = await programs.get(key, tile.height * tile.width, () =>
        createGradientProgram(model, objective, tile, runtime, opts),
      );
      return program.bind(objective);
    },

    async activations(layer: string, image: RgbImage) {
      const size = { height: image.height, width: image.width };
      const session = await createActivationSession(model, layer, size, runtime, opts);
      try {
        return await session.run(toPlanar(image));
      } finally {
        await session.release();
      }
    },

    release: () => programs.releaseAll(),
  };
}
