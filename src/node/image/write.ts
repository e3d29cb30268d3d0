/** Encoding float RGB (plus alpha) to an image file, atomically, with the recipe embedded. */
import sharp, { type Sharp } from 'sharp';
import { writeFileAtomic } from './files.js';
import { FORMATS_WITH_ALPHA, OUTPUT_EXTENSIONS, outputFormatFor, type OutputFormat } from './formats.js';
import { recipeToXmp, type Recipe } from './recipe.js';
import { createRgbImage, type RgbImage } from '../../core/image/rgb.js';

export interface WriteImageOptions {
  /** Opacity per pixel (0..255) to re-attach; dropped for JPEG, which has no alpha. */
  alpha?: Float32Array;
  /** Stored as XMP metadata; read it back with readRecipe. */
  recipe?: Recipe;
}

/** Writes an image in the format its extension names (.png .jpg .jpeg .webp .avif .tif .tiff). */
export async function writeImage(path: string, image: RgbImage, options: WriteImageOptions = {}): Promise<void> {
  const format = outputFormatFor(path);
  if (!format) {
    throw new Error(`cannot write ${path}: unknown image extension (use ${OUTPUT_EXTENSIONS.join(', ')})`);
  }
  const encoded = await encodeImage(image, format, options);
  await writeFileAtomic(path, encoded);
}

/** The bytes of an image file in `format`. */
export async function encodeImage(
  image: RgbImage,
  format: OutputFormat,
  options: WriteImageOptions = {},
): Promise<Buffer> {
  const { width, height, data } = image;
  createRgbImage(width, height, data); // validates the size
  const alpha = FORMATS_WITH_ALPHA.has(format) ? options.alpha : undefined;
  if (alpha && alpha.length !== width * height) {
    throw new Error(`alpha has ${alpha.length} values, a ${width}x${height} image needs ${width * height}`);
  }
  const channels = alpha ? 4 : 3;
  let encoder = sharp(toBytes(data, alpha), { raw: { width, height, channels } });
  if (options.recipe) encoder = encoder.withXmp(recipeToXmp(options.recipe));
  return await encoderFor(encoder, format).toBuffer();
}

function encoderFor(image: Sharp, format: OutputFormat): Sharp {
  // Dreams are full of fine detail: high quality and no chroma subsampling for lossy formats.
  switch (format) {
    case 'png':
      return image.png();
    case 'jpeg':
      return image.jpeg({ quality: 92, chromaSubsampling: '4:4:4' });
    case 'webp':
      return image.webp({ quality: 90 });
    case 'avif':
      return image.avif({ quality: 70, chromaSubsampling: '4:4:4' });
    case 'tiff':
      return image.tiff({ compression: 'deflate' });
  }
}

/** Interleaved 8-bit samples: rounded to the nearest integer and clamped to 0..255. */
function toBytes(rgb: Float32Array, alpha: Float32Array | undefined): Uint8Array {
  const pixels = rgb.length / 3;
  const channels = alpha ? 4 : 3;
  const bytes = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const o = p * channels;
    bytes[o] = toByte(rgb[p * 3] as number);
    bytes[o + 1] = toByte(rgb[p * 3 + 1] as number);
    bytes[o + 2] = toByte(rgb[p * 3 + 2] as number);
    if (alpha) bytes[o + 3] = toByte(alpha[p] as number);
  }
  return bytes;
}

function toByte(value: number): number {
  // NaN becomes 0 when stored in a Uint8Array.
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
