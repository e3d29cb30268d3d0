/**
 * What renders dream each frame with. Rendering only needs a function, so tests use fakes and the
 * CLI dreams with a backend (see dream/backend-module.ts) through dreamImage.
 */
import type { RgbImage } from '../../core/image/rgb.js';
import type { DreamBackend } from '../../core/dream/backend.js';
import { dreamImage } from '../../core/dream/dream-image.js';
import type { DreamOptions } from '../../core/dream/options.js';
import { frameSeed } from '../../core/video/schedule.js';

/** Dreams one frame; `layer` undefined means the dream options' own layers. */
export type FrameDreamer = (
  frame: RgbImage,
  frameIndex: number,
  layer: string | undefined,
  signal?: AbortSignal,
) => Promise<RgbImage>;

/**
 * Frames dreamed with `options` on one backend (its sessions are reused from frame to frame);
 * each frame's random rolls are seeded from options.seed and the frame index.
 */
export function engineDreamer(options: DreamOptions, backend: DreamBackend): FrameDreamer {
  return (frame, frameIndex, layer, signal) =>
    dreamImage(
      frame,
      {
        ...options,
        seed: frameSeed(options.seed, frameIndex),
        ...(layer !== undefined && { layers: [{ name: layer, weight: 1 }] }),
      },
      backend,
      signal ? { signal } : {},
    );
}
