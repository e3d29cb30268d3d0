/** Decoding photos into float RGB (plus alpha), through sharp. */
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { readInputFile } from './files.js';
import { isHeic } from './heic.js';
import { createRgbImage, type RgbImage } from '../../core/image/rgb.js';

/** Larger images are refused before any pixel is decoded. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export const HEIC_UNSUPPORTED = 'HEIC/HEIF photos are not supported; convert it to JPEG or PNG';

/** Formats sharp reports that we accept as photos (AVIF is reported as heif). */
const READABLE_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'heif', 'tiff', 'gif']);

export interface ReadImageOptions {
  /** Downscale (never upscale) so that the long side is at most this many pixels. */
  maxSize?: number;
  /** Refuse images with more pixels than this (default 100 megapixels). */
  maxPixels?: number;
  /** What error messages call a Buffer input (default "image"). */
  name?: string;
}

export interface LoadedImage {
  /** Colour in sRGB, float 0..255. */
  image: RgbImage;
  /** Opacity per pixel, float 0..255; absent when the image has none or is fully opaque. */
  alpha?: Float32Array;
  width: number;
  height: number;
  /** The file's format as sharp names it: jpeg, png, webp, heif (AVIF), tiff or gif. */
  format: string;
  /** Size in the file (after EXIF orientation), before any downscaling. */
  originalWidth: number;
  originalHeight: number;
}

/**
 * Reads a photo: EXIF orientation applied, colour converted to sRGB (CMYK, ICC profiles),
 * 16-bit precision kept, first frame of animations, optionally downscaled.
 */
export async function readImage(input: string | Buffer, options: ReadImageOptions = {}): Promise<LoadedImage> {
  const name = typeof input === 'string' ? input : (options.name ?? 'image');
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const file = typeof input === 'string' ? await readInputFile(input) : input;
  // Called when sharp cannot read the file: a libvips built with HEVC would read HEIC.
  const unreadable = (cause?: unknown) =>
    isHeic(file)
      ? new Error(`cannot read ${name}: ${HEIC_UNSUPPORTED}`, { cause })
      : new Error(`cannot read ${name}: not a supported image (corrupt or truncated?)`, { cause });
  if (file.length === 0) throw new Error(`cannot read ${name}: the file is empty`);

  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw unreadable(err);
  }
  if (!READABLE_FORMATS.has(meta.format ?? '')) throw unreadable();
  const { width: originalWidth, height: originalHeight } = meta.autoOrient;
  if (originalWidth * originalHeight > maxPixels) {
    throw new Error(
      `cannot read ${name}: ${originalWidth}x${originalHeight} pixels is too large ` +
        `(limit ${describePixelCount(maxPixels)})`,
    );
  }

  const deep = meta.depth !== 'uchar' && meta.depth !== 'char';
  let pipeline = sharp(file, { limitInputPixels: maxPixels, autoOrient: true, page: 0 });
  const { maxSize } = options;
  if (maxSize !== undefined && Math.max(originalWidth, originalHeight) > maxSize) {
    pipeline = pipeline.resize({ width: maxSize, height: maxSize, fit: 'inside' });
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await pipeline
      .toColourspace(deep ? 'rgb16' : 'srgb')
      .raw({ depth: deep ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw unreadable(err);
  }
  const { width, height, channels } = decoded.info;
  if (channels !== 3 && channels !== 4) throw unreadable();
  const samples = deep
    ? new Uint16Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length / 2)
    : decoded.data;
  const { rgb, alpha } = splitChannels(samples, width * height, channels, deep ? 257 : 1);
  return {
    image: createRgbImage(width, height, rgb),
    ...(alpha && !isOpaque(alpha) && { alpha }),
    width,
    height,
    format: meta.format ?? 'unknown',
    originalWidth,
    originalHeight,
  };
}

function splitChannels(
  samples: ArrayLike<number>,
  pixels: number,
  channels: 3 | 4,
  /** 257 maps 16-bit samples (0..65535) exactly onto 0..255. */
  divisor: number,
): { rgb: Float32Array; alpha?: Float32Array } {
  const rgb = new Float32Array(pixels * 3);
  const alpha = channels === 4 ? new Float32Array(pixels) : undefined;
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    rgb[p * 3] = (samples[s] as number) / divisor;
    rgb[p * 3 + 1] = (samples[s + 1] as number) / divisor;
    rgb[p * 3 + 2] = (samples[s + 2] as number) / divisor;
    if (alpha) alpha[p] = (samples[s + 3] as number) / divisor;
  }
  return alpha ? { rgb, alpha } : { rgb };
}

function isOpaque(alpha: Float32Array): boolean {
  return alpha.every((a) => a >= 255);
}

function describePixelCount(pixels: number): string {
  return pixels >= 1e6 ? `${Math.round(pixels / 1e5) / 10} megapixels` : `${pixels} pixels`;
}
