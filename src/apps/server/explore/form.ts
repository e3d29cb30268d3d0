/** Reading the explore page's uploads and numbers: one-line 400s naming the field. */
import type { FastifyRequest } from 'fastify';
import { checkInteger, integerText, type Range } from '../../../core/options/checks.js';
import { readImage, type LoadedImage } from '../../../node/image/read.js';
import { errorMessage } from '../../shared/errors.js';
import { HttpError } from '../errors.js';
import { readUpload } from '../upload.js';

export interface ExploreUpload {
  fields: Record<string, string | undefined>;
  photo: LoadedImage;
}

/**
 * The photo (scaled to `maxSize` on its long side) and the text fields of a multipart upload;
 * 400 for a missing or unreadable photo or a field other than `names`.
 */
export async function readExploreUpload(
  request: FastifyRequest,
  names: readonly string[],
  limits: {
    maxUploadBytes: number;
    maxPixels: number;
    /** Long side the photo is scaled down to, which a field may choose. */
    maxSize: (fields: Record<string, string | undefined>) => number;
  },
): Promise<ExploreUpload> {
  const upload = await readUpload(request, limits.maxUploadBytes);
  const unknown = Object.keys(upload.fields).find((name) => !names.includes(name));
  if (unknown !== undefined)
    throw new HttpError(400, `unknown field '${unknown}' (fields: image, ${names.join(', ')})`);
  if (!upload.photo) throw new HttpError(400, "no photo: send it in the 'image' field");
  const fields = Object.fromEntries(Object.entries(upload.fields).filter(([, v]) => v.trim() !== ''));
  const { name, bytes } = upload.photo;
  const maxSize = limits.maxSize(fields);
  const photo = await asClientError(() => readImage(bytes, { maxSize, maxPixels: limits.maxPixels, name }));
  return { fields, photo };
}

/** The integer in `text` (undefined: `fallback`), within `range`; 400 otherwise. */
export function integerField(name: string, text: string | undefined, fallback: number, range: Range): number {
  if (text === undefined) return fallback;
  try {
    return checkInteger(name, integerText(text) ?? text.trim(), range);
  } catch (err) {
    throw new HttpError(400, errorMessage(err));
  }
}

/** 400 for a required field left out. */
export function requiredField(fields: Record<string, string | undefined>, name: string): string {
  const value = fields[name]?.trim();
  if (!value) throw new HttpError(400, `no ${name}: send it in the '${name}' field`);
  return value;
}

async function asClientError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new HttpError(400, errorMessage(err));
  }
}
