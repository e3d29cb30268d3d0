/** Output image formats, chosen by the file extension. */
import { extname } from 'node:path';

export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'avif' | 'tiff';

const FORMAT_BY_EXTENSION: Readonly<Record<string, OutputFormat>> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.avif': 'avif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

export const OUTPUT_EXTENSIONS: readonly string[] = Object.keys(FORMAT_BY_EXTENSION);

/** Formats that can store an alpha channel. */
export const FORMATS_WITH_ALPHA: ReadonlySet<OutputFormat> = new Set(['png', 'webp', 'avif', 'tiff']);

/** The output format for a path, or undefined when its extension is not one we write. */
export function outputFormatFor(path: string): OutputFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

export function isOutputImagePath(path: string): boolean {
  return outputFormatFor(path) !== undefined;
}
