/**
 * Photos in the browser (page or worker): decoded by the browser into the core's float RGB,
 * scaled down with the core's filter (the same on every browser), and dreams encoded as PNG.
 */
import { resizeImage } from '../../core/dream/resize.js';
import { createRgbImage, type RgbImage } from '../../core/image/rgb.js';

export interface Photo {
  image: RgbImage;
  /** Per-pixel alpha 0..255, when the photo is not opaque. */
  alpha?: Float32Array;
}

export interface DecodeLimits {
  /** Long side the photo is scaled down to. */
  maxSize: number;
  /** Photos with more pixels are refused. */
  maxPixels: number;
}

export async function decodePhoto(blob: Blob, name: string, limits: DecodeLimits): Promise<Photo> {
  let bitmap: ImageBitmap;
  try {
    // No colour-space conversion: the pixels are the file's, as sharp reads them on the server.
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error(`cannot read ${name}: this browser cannot decode it (corrupt, or a format it lacks?)`);
  }
  const { width, height } = bitmap;
  if (width * height > limits.maxPixels) {
    bitmap.close();
    throw new Error(`${name} has ${width}x${height} pixels, more than the ${limits.maxPixels} this page dreams`);
  }
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const image = createRgbImage(width, height);
  const alpha = new Float32Array(width * height);
  for (let p = 0; p < width * height; p++) {
    image.data[3 * p] = rgba[4 * p]!;
    image.data[3 * p + 1] = rgba[4 * p + 1]!;
    image.data[3 * p + 2] = rgba[4 * p + 2]!;
    alpha[p] = rgba[4 * p + 3]!;
  }
  const opaque = alpha.every((a) => a === 255);
  const size = fitInside(width, height, limits.maxSize);
  if (size.width === width && size.height === height) return opaque ? { image } : { image, alpha };
  const scaled = resizeImage(image, size.width, size.height);
  if (opaque) return { image: scaled };
  return { image: scaled, alpha: scaleAlpha(alpha, width, height, size) };
}

/** The size of a `width` x `height` photo with its long side at most `maxSize` (aspect kept). */
export function fitInside(width: number, height: number, maxSize: number): { width: number; height: number } {
  const factor = maxSize / Math.max(width, height);
  if (factor >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

function scaleAlpha(alpha: Float32Array, width: number, height: number, size: { width: number; height: number }) {
  const grey = createRgbImage(width, height);
  alpha.forEach((a, p) => grey.data.fill(a, 3 * p, 3 * p + 3));
  const scaled = resizeImage(grey, size.width, size.height).data;
  return Float32Array.from({ length: size.width * size.height }, (_, p) => scaled[3 * p]!);
}

/** The dream as a PNG (pixels rounded to 8 bits), with the photo's alpha when it had one. */
export function encodePng(image: RgbImage, alpha?: Float32Array): Promise<Blob> {
  const { width, height, data } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = Math.round(data[3 * p]!);
    rgba[4 * p + 1] = Math.round(data[3 * p + 1]!);
    rgba[4 * p + 2] = Math.round(data[3 * p + 2]!);
    rgba[4 * p + 3] = alpha ? Math.round(alpha[p]!) : 255;
  }
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
