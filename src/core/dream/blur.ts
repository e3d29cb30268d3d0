/** Gaussian blur of an RGB image: the mild smoothing prior of class visualizations. */
import type { RgbImage } from '../image/rgb.js';
import { buildTaps, filterImage, type FilterTaps } from './separable.js';

function gaussianTaps(size: number, sigma: number): FilterTaps {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  return buildTaps(size, size, (i) =>
    Array.from({ length: 2 * radius + 1 }, (_, k): [number, number] => {
      const offset = k - radius;
      return [i + offset, Math.exp(-(offset * offset) / (2 * sigma * sigma))];
    }),
  );
}

/** A blurred copy of `image` (edges clamped); sigma in pixels, > 0. */
export function gaussianBlur(image: RgbImage, sigma: number): RgbImage {
  return filterImage(image, gaussianTaps(image.width, sigma), gaussianTaps(image.height, sigma));
}
