/** Reading the dream form (multipart/form-data): text fields plus one photo, within size limits. */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

export interface Upload {
  fields: Record<string, string>;
  photo?: { name: string; bytes: Buffer };
}

/** Friendly words for @fastify/multipart's limit errors. */
const MULTIPART_ERRORS: Readonly<Record<string, (maxBytes: number) => HttpError>> = {
  FST_REQ_FILE_TOO_LARGE: (maxBytes) =>
    new HttpError(413, `the photo is larger than the ${formatBytes(maxBytes)} limit; send a smaller file`),
  FST_FILES_LIMIT: () => new HttpError(413, 'send one photo at a time'),
  FST_FIELDS_LIMIT: () => new HttpError(413, 'too many form fields'),
  FST_PARTS_LIMIT: () => new HttpError(413, 'too many form fields'),
  FST_PROTO_VIOLATION: () => new HttpError(400, 'invalid form field name'),
  FST_INVALID_JSON_FIELD_ERROR: () => new HttpError(400, 'form fields must be plain text'),
  FST_MP_PREMATURE_CLOSE: () => new HttpError(400, 'the upload was cut off before the end'),
};

export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new HttpError(415, "send the dream as multipart/form-data, with the photo in the 'image' field");
  }
  const fields: Record<string, string> = {};
  let photo: Upload['photo'];
  try {
    const parts = request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 1000 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image') {
          throw new HttpError(400, `unexpected file in field '${part.fieldname}': send the photo as 'image'`);
        }
        photo = { name: displayName(part.filename), bytes: await part.toBuffer() };
      } else {
        if (typeof part.value !== 'string') throw new HttpError(400, `field '${part.fieldname}' must be text`);
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const friendly = typeof code === 'string' ? MULTIPART_ERRORS[code] : undefined;
    throw friendly ? friendly(maxBytes) : err;
  }
  return photo ? { fields, photo } : { fields };
}

/** The file name without folders or control characters, for messages, recipes and downloads. */
function displayName(filename: string | undefined): string {
  const base = (filename ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.slice(-100) || 'photo';
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
