/**
 * Reading the dream form (multipart/form-data): text fields plus one photo, within size limits.
 * Every way the body can be malformed is the client's mistake and answers 400 (413 for sizes).
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

export interface Upload {
  fields: Record<string, string>;
  photo?: { name: string; bytes: Buffer };
}

/** Longest text field value, in bytes; longer ones are refused rather than cut. */
export const MAX_FIELD_BYTES = 1000;
/** The form field the photo comes in. */
const PHOTO_FIELD = 'image';
/** Transfer encodings that leave bytes as they are; browsers send no other (RFC 7578 section 4.7). */
const PLAIN_ENCODINGS: ReadonlySet<string> = new Set(['7bit', '8bit', 'binary']);

/** Friendly words for @fastify/multipart's errors. */
const MULTIPART_ERRORS: ReadonlyMap<string, (maxBytes: number) => HttpError> = new Map([
  [
    'FST_REQ_FILE_TOO_LARGE',
    (maxBytes: number) =>
      new HttpError(413, `the photo is larger than the ${formatBytes(maxBytes)} limit; send a smaller file`),
  ],
  ['FST_FILES_LIMIT', () => new HttpError(413, 'send one photo at a time')],
  ['FST_FIELDS_LIMIT', () => new HttpError(413, 'too many form fields')],
  ['FST_PARTS_LIMIT', () => new HttpError(413, 'too many form fields')],
  [
    'FST_PROTO_VIOLATION',
    () => new HttpError(400, 'invalid form field name: names such as __proto__ and constructor are not fields'),
  ],
  ['FST_INVALID_JSON_FIELD_ERROR', () => new HttpError(400, 'form fields must be plain text')],
  ['FST_MP_PREMATURE_CLOSE', () => new HttpError(400, 'the upload was cut off before the end')],
]);

/** busboy's parse errors (plain Errors, no code), told in the studio's words. */
const SYNTAX_ERRORS: readonly [RegExp, string][] = [
  [/boundary not found/i, 'the Content-Type header has no multipart boundary'],
  [/unexpected end/i, 'the upload ended before its closing boundary (truncated or malformed multipart data)'],
];

export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new HttpError(415, `send the dream as multipart/form-data, with the photo in the '${PHOTO_FIELD}' field`);
  }
  // A Map, so that no field name can reach an object's prototype.
  const fields = new Map<string, string>();
  let photo: Upload['photo'];
  try {
    const parts = request.parts({
      limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: MAX_FIELD_BYTES },
    });
    for await (const part of parts) {
      const name = checkPart(part);
      if (part.type === 'file') {
        if (name !== PHOTO_FIELD) {
          throw new HttpError(400, `unexpected file in field '${name}': send the photo as '${PHOTO_FIELD}'`);
        }
        photo = { name: displayName(part.filename), bytes: await part.toBuffer() };
      } else {
        if (name === PHOTO_FIELD) throw new HttpError(400, `the '${PHOTO_FIELD}' field must be a file (the photo)`);
        if (part.valueTruncated) {
          throw new HttpError(400, `field '${name}' is longer than ${MAX_FIELD_BYTES} bytes`);
        }
        if (typeof part.value !== 'string') throw new HttpError(400, `field '${name}' must be text`);
        if (fields.has(name)) throw new HttpError(400, `field '${name}' is given more than once`);
        fields.set(name, part.value);
      }
    }
  } catch (err) {
    throw uploadError(err, maxBytes);
  }
  return { fields: Object.fromEntries(fields), ...(photo && { photo }) };
}

/** The part's field name, once its header is one the studio reads. */
function checkPart(part: { fieldname: string | undefined; encoding: string }): string {
  const name = part.fieldname;
  if (name === undefined || name === '') {
    throw new HttpError(400, 'a form part has no name (Content-Disposition: form-data; name="...")');
  }
  if (!PLAIN_ENCODINGS.has(part.encoding.toLowerCase())) {
    throw new HttpError(
      400,
      `field '${name}': Content-Transfer-Encoding '${part.encoding}' is not supported; send the bytes as they are`,
    );
  }
  return name;
}

/**
 * Errors while reading the parts: ours, @fastify/multipart's (with codes) and busboy's parse
 * errors. All come from the bytes the client sent, so none is a 500.
 */
function uploadError(err: unknown, maxBytes: number): HttpError {
  if (err instanceof HttpError) return err;
  const code = (err as { code?: unknown }).code;
  const known = typeof code === 'string' ? MULTIPART_ERRORS.get(code) : undefined;
  if (known) return known(maxBytes);
  const message = err instanceof Error ? err.message : String(err);
  const syntax = SYNTAX_ERRORS.find(([pattern]) => pattern.test(message));
  return new HttpError(400, `the upload is not valid multipart/form-data: ${syntax ? syntax[1] : message}`);
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
