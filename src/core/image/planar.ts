/** Conversions between interleaved RgbImages (HWC) and the planar layout (CHW) networks and spectra use. */
import { createRgbImage, type RgbImage } from './rgb.js';

/** The image as three planes, R then G then B. */
export function toPlanar(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    out[p] = image.data[3 * p]!;
    out[plane + p] = image.data[3 * p + 1]!;
    out[2 * plane + p] = image.data[3 * p + 2]!;
  }
  return out;
}

/** Three planes (R, G, B) of `width` x `height` as an interleaved image, into `out` if given. */
export function fromPlanar(planar: Float32Array, width: number, height: number, out?: RgbImage): RgbImage {
  const plane = width * height;
  const image = out ?? createRgbImage(width, height);
  for (let p = 0; p < plane; p++) {
    image.data[3 * p] = planar[p]!;
    image.data[3 * p + 1] = planar[plane + p]!;
    image.data[3 * p + 2] = planar[2 * plane + p]!;
  }
  return image;
}
