/**
 * Float-precision resizing with a triangle (bilinear) filter. When shrinking, the filter widens
 * with the scale factor so every input pixel contributes (no aliasing); when enlarging it is
 * plain bilinear interpolation.
 */
import { createRgbImage, type RgbImage } from '../image/rgb.js';
import { buildTaps, filterImage, type FilterTaps } from './separable.js';

function triangleTaps(inSize: number, outSize: number): FilterTaps {
  const scale = inSize / outSize;
  const radius = Math.max(1, scale);
  return buildTaps(inSize, outSize, (i) => {
    const center = (i + 0.5) * scale - 0.5;
    const taps: Array<[number, number]> = [];
    for (let j = Math.ceil(center - radius); j <= Math.floor(center + radius); j++) {
      taps.push([j, 1 - Math.abs(j - center) / radius]);
    }
    return taps;
  });
}

export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return createRgbImage(width, height, image.data.slice());
  return filterImage(image, triangleTaps(image.width, width), triangleTaps(image.height, height));
}
