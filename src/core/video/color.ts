/**
 * Colour stability of feedback loops. Dreaming a frame made from the previous dream tends to
 * brighten and saturate a little every time; over thousands of frames that ends in white or neon.
 * We measure it (mean luminance, mean saturation, their drift from the first frame) and correct it
 * by pulling each frame's per-channel mean and spread part of the way back to the first frame's.
 */
import type { RgbImage } from '../image/rgb.js';

export interface ColorStats {
  /** Per channel (R, G, B) mean, 0..255. */
  mean: [number, number, number];
  /** Per channel standard deviation. */
  std: [number, number, number];
  /** Mean Rec. 601 luma, 0..255. */
  luminance: number;
  /** Mean HSV saturation, 0..1. */
  saturation: number;
}

export function colorStats(image: RgbImage): ColorStats {
  const d = image.data;
  const n = image.width * image.height;
  const sum = [0, 0, 0];
  const sumSq = [0, 0, 0];
  let saturation = 0;
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i]!;
    const g = d[i + 1]!;
    const b = d[i + 2]!;
    sum[0]! += r;
    sum[1]! += g;
    sum[2]! += b;
    sumSq[0]! += r * r;
    sumSq[1]! += g * g;
    sumSq[2]! += b * b;
    const max = Math.max(r, g, b);
    if (max > 0) saturation += (max - Math.min(r, g, b)) / max;
  }
  const mean = sum.map((s) => s / n) as [number, number, number];
  const std = sumSq.map((s, k) => Math.sqrt(Math.max(0, s / n - mean[k]! ** 2))) as [number, number, number];
  return { mean, std, luminance: 0.299 * mean[0] + 0.587 * mean[1] + 0.114 * mean[2], saturation: saturation / n };
}

export interface ColorDrift {
  luminance: number;
  saturation: number;
  /** Change of luminance and saturation since the reference (signed). */
  luminanceDrift: number;
  saturationDrift: number;
}

function colorDrift(stats: ColorStats, reference: ColorStats): ColorDrift {
  return {
    luminance: stats.luminance,
    saturation: stats.saturation,
    luminanceDrift: stats.luminance - reference.luminance,
    saturationDrift: stats.saturation - reference.saturation,
  };
}

/** Contrast is never rescaled by more than this factor in one frame (flat frames have std ~ 0). */
const MAX_GAIN = 2;

/**
 * Moves each channel `strength` (0..1) of the way towards the reference's mean and std, in place.
 * A mild strength (0.1-0.3) applied every frame holds the drift to a small steady offset without
 * visibly flattening what the dream draws.
 */
export function correctColor(image: RgbImage, stats: ColorStats, reference: ColorStats, strength: number): RgbImage {
  if (strength <= 0) return image;
  const d = image.data;
  for (let k = 0; k < 3; k++) {
    const gain = Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, reference.std[k]! / Math.max(stats.std[k]!, 1e-3)));
    const mean = stats.mean[k]!;
    const target = reference.mean[k]!;
    for (let i = k; i < d.length; i += 3) {
      const v = d[i]!;
      d[i] = v + strength * ((v - mean) * gain + target - v);
    }
  }
  return image;
}

/** Each frame's colour drift from the first frame (the reference), and the largest drift seen. */
export class DriftTracker {
  reference: ColorStats | undefined;
  readonly max = { luminance: 0, saturation: 0 };

  observe(frame: RgbImage): ColorDrift {
    const stats = colorStats(frame);
    this.reference ??= stats;
    const drift = colorDrift(stats, this.reference);
    this.max.luminance = Math.max(this.max.luminance, Math.abs(drift.luminanceDrift));
    this.max.saturation = Math.max(this.max.saturation, Math.abs(drift.saturationDrift));
    return drift;
  }
}
