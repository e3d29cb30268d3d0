/** Plain measures of how colourful and contrasted an image is, for quality tests. */
import type { RgbImage } from '../../src/core/image/rgb.js';

/** Mean HSV saturation, (max - min) / max per pixel, 0..1. */
export function meanSaturation({ data }: RgbImage): number {
  let total = 0;
  for (let i = 0; i < data.length; i += 3) {
    const max = Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
    const min = Math.min(data[i]!, data[i + 1]!, data[i + 2]!);
    total += max > 0 ? (max - min) / max : 0;
  }
  return total / (data.length / 3);
}

/** RMS contrast: the standard deviation of the luminance (Rec. 601), on a 0..1 scale. */
export function rmsContrast({ data }: RgbImage): number {
  const n = data.length / 3;
  const luma = Float64Array.from(
    { length: n },
    (_, p) => (0.299 * data[3 * p]! + 0.587 * data[3 * p + 1]! + 0.114 * data[3 * p + 2]!) / 255,
  );
  const mean = luma.reduce((a, v) => a + v, 0) / n;
  return Math.sqrt(luma.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
}
