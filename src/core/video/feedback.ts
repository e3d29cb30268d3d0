/**
 * How a dreamed video's dream builds up. Each frame dreams the previous dream (carried along the
 * motion) blended with the new frame at weight `blend` (b), and keeps the dream's change to its
 * input scaled by `strength` (s). A dream that changes its input by d then shows, after n frames,
 * s * d * (1 + b + ... + b^(n-1)): it builds up towards s * d / (1 - b). The first frame has no
 * previous dream, so it is dreamed several times over, each pass from the last one blended with
 * the frame as later frames are: it starts where the later frames settle.
 */
import type { RgbImage } from '../image/rgb.js';
import { blend } from './warp.js';

/** The first frame reaches at least this share of the strength later frames build up to. */
const WARM_UP_SHARE = 0.9;
/** The warm-up costs at most this many dreams, whatever the blend (b^10 is 0.35 at b = 0.9). */
const MAX_WARM_UP_PASSES = 10;

/** How many times the first frame is dreamed at this blend weight: 1 without blending, 4 at the default 0.5. */
export function warmUpPasses(blendWeight: number): number {
  if (blendWeight <= 0) return 1;
  if (blendWeight >= 1) return MAX_WARM_UP_PASSES;
  const passes = Math.ceil(Math.log(1 - WARM_UP_SHARE) / Math.log(blendWeight));
  return Math.min(MAX_WARM_UP_PASSES, Math.max(1, passes));
}

/** The dream of `input` with its change scaled by `strength` (1: the dream itself, a new image otherwise). */
export function withStrength(input: RgbImage, dreamed: RgbImage, strength: number): RgbImage {
  return strength === 1 ? dreamed : blend(dreamed, input, strength);
}
