/**
 * What renders dream each frame with. Rendering only needs a function, so tests use fakes and the
 * CLI uses the real engine (or a DEEPDREAM_BACKEND_MODULE backend) through dreamImage.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { RgbImage } from '../../core/image/rgb.js';
import type { BackendFactory, DreamBackend } from '../../core/dream/backend.js';
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

/**
 * The backend for a render: the module named by DEEPDREAM_BACKEND_MODULE when set (other engines,
 * fakes in tests; see dream/backend.ts), else the bundled model.
 */
export async function loadBackend(options: DreamOptions): Promise<DreamBackend> {
  const module = process.env.DEEPDREAM_BACKEND_MODULE;
  if (module) {
    const url = module.startsWith('file:') ? module : pathToFileURL(resolve(module)).href;
    const { createBackend } = (await import(url)) as { createBackend: BackendFactory };
    return createBackend(options);
  }
  const { createModelBackend } = await import('../../core/dream/model-backend.js');
  return createModelBackend(options.model);
}
