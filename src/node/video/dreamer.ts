/**
 * What renders dream each frame with. Rendering only needs a function, so tests use fakes, the
 * CLI dreams with a backend (see dream/backend-module.ts) through dreamImage, and the studio in
 * its dream worker thread.
 */
import type { RgbImage } from '../../core/image/rgb.js';
import type { DreamBackend } from '../../core/dream/backend.js';
import { dreamImage } from '../../core/dream/dream-image.js';
import type { DreamOptions } from '../../core/dream/options.js';
import { frameSeed } from '../../core/video/schedule.js';
import { dream, type WorkerDreamDeps } from '../dream/index.js';

/** Dreams one frame; `layer` undefined means the dream options' own layers. */
export type FrameDreamer = (
  frame: RgbImage,
  frameIndex: number,
  layer: string | undefined,
  signal?: AbortSignal,
) => Promise<RgbImage>;

/** Frame `frameIndex`'s options: its own random rolls (seeded from options.seed), and its layer. */
function frameOptions(options: DreamOptions, frameIndex: number, layer: string | undefined): DreamOptions {
  return {
    ...options,
    seed: frameSeed(options.seed, frameIndex),
    ...(layer !== undefined && { layers: [{ name: layer, weight: 1 }] }),
  };
}

/** Frames dreamed with `options` on one backend (its sessions are reused from frame to frame). */
export function engineDreamer(options: DreamOptions, backend: DreamBackend): FrameDreamer {
  return (frame, frameIndex, layer, signal) =>
    dreamImage(frame, frameOptions(options, frameIndex, layer), backend, signal ? { signal } : {});
}

/**
 * Frames dreamed in this process's dream worker thread (the lane of `deps`), which keeps the
 * model and sessions from frame to frame, so the caller's event loop stays free (the studio).
 */
export function workerDreamer(options: DreamOptions, deps: WorkerDreamDeps): FrameDreamer {
  return (frame, frameIndex, layer, signal) =>
    dream(frame, frameOptions(options, frameIndex, layer), signal ? { signal } : {}, deps);
}
