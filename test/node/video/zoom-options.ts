/** The zoom the render tests use: small, quick, with a camera move, dreamed by driftingDreamer. */
import type { ZoomOptions } from '../../../src/node/video/zoom.js';

export const zoomOptions = (output: string, extra: Partial<ZoomOptions> = {}): ZoomOptions => ({
  output,
  frames: 20,
  fps: 10,
  size: { width: 32, height: 24 },
  move: { zoom: 1.05, rotate: 2, translateX: 0.5, translateY: 0 },
  schedule: [],
  colorLock: 0.2,
  seed: 1,
  dreamSettings: { fake: 'drifting' },
  ...extra,
});
