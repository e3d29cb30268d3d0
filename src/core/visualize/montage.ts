/** Images side by side in a grid, for contact sheets of visualizations. */
import { createRgbImage, type RgbImage } from '../image/rgb.js';

export interface MontageOptions {
  /** Images per row (default: as square a grid as fits them). */
  columns?: number;
  /** Pixels between images and around the grid (default 2). */
  gap?: number;
  /** Value of the gaps, 0..255 on every channel (default 255: white). */
  background?: number;
}

/** The images (all of one size) in rows of `columns`, left to right, top to bottom. */
export function montage(images: readonly RgbImage[], options: MontageOptions = {}): RgbImage {
  const first = images[0];
  if (!first) throw new Error('montage: no images');
  const { width, height } = first;
  if (images.some((i) => i.width !== width || i.height !== height))
    throw new Error('montage: the images differ in size');
  const columns = Math.max(1, Math.min(images.length, options.columns ?? Math.ceil(Math.sqrt(images.length))));
  const rows = Math.ceil(images.length / columns);
  const gap = options.gap ?? 2;
  const out = createRgbImage(columns * (width + gap) + gap, rows * (height + gap) + gap);
  out.data.fill(options.background ?? 255);
  images.forEach((image, i) => {
    const left = gap + (i % columns) * (width + gap);
    const top = gap + Math.floor(i / columns) * (height + gap);
    for (let y = 0; y < height; y++) {
      const from = y * width * 3;
      out.data.set(image.data.subarray(from, from + width * 3), ((top + y) * out.width + left) * 3);
    }
  });
  return out;
}

/** Images of one height side by side, `gap` pixels of `background` between them. */
export function besides(images: readonly RgbImage[], gap = 2, background = 255): RgbImage {
  const first = images[0];
  if (!first) throw new Error('montage: no images');
  const { height } = first;
  if (images.some((i) => i.height !== height)) throw new Error('montage: the images differ in height');
  const width = images.reduce((a, i) => a + i.width, 0) + gap * (images.length - 1);
  const out = createRgbImage(width, height);
  out.data.fill(background);
  let left = 0;
  for (const image of images) {
    for (let y = 0; y < height; y++)
      out.data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), (y * width + left) * 3);
    left += image.width + gap;
  }
  return out;
}
