/**
 * Turning an upload into a dream request: every check that can fail (fields, options, model,
 * layer, photo) runs before the dream is queued, so a bad request gets a 4xx at once.
 */
import { resolveDreamOptions, type DreamOptions } from '../../core/dream/options.js';
import { layerTensorName } from '../../core/models/layers.js';
import { readImage } from '../../node/image/read.js';
import { MIN_FRAME_SIDE } from '../../node/video/zoom.js';
import type { DreamJobSpec } from '../shared/dream-job.js';
import { errorMessage } from '../shared/errors.js';
import type { ModelCatalog } from './catalog.js';
import { HttpError } from './errors.js';
import { fieldName, parseForm, type FormLimits } from './form.js';
import type { DreamSettings } from './store/index.js';
import type { Upload } from './upload.js';

export interface DreamLimits extends FormLimits {
  /** Photos with more pixels are refused before decoding. */
  maxPixels: number;
}

/** What a client asked for, checked: the photo's size as it will be dreamed, and the job to queue. */
export interface DreamRequest {
  info: { name: string; width: number; height: number };
  spec: DreamJobSpec;
  photo: Buffer;
  /** The form fields as given (empty ones and `from` left out). */
  settings: DreamSettings;
  /** The dream whose result is the photo (the `from` field). */
  parent?: string;
}

/** A finished picture of the caller's, by id: its result is the photo of a dream "from" it. */
export type DreamedPhoto = (id: string) => Promise<{ name: string; bytes: Buffer }>;

export async function parseDreamRequest(
  upload: Upload,
  context: { limits: DreamLimits; catalog: ModelCatalog; dreamedPhoto: DreamedPhoto },
): Promise<DreamRequest> {
  const form = await asClientError(() => parseForm(upload.fields, context.limits));
  const parent = upload.fields.from?.trim() || undefined;
  if (parent !== undefined && upload.photo) throw new HttpError(400, "send a photo or 'from', not both");
  if (parent === undefined && !upload.photo) throw new HttpError(400, "no photo: send it in the 'image' field");
  await checkModel(await asClientError(() => resolveDreamOptions(form.options)), context.catalog);
  const { name, bytes } = upload.photo ?? (await context.dreamedPhoto(parent!));
  const { maxPixels } = context.limits;
  const photo = await asClientError(() => readImage(bytes, { maxSize: form.size, maxPixels, name }));
  // The octave count follows the photo's size, as in the CLI; the recipe records it.
  const options = resolveDreamOptions(form.options, photo.image);
  const { zoom } = form;
  return {
    info: { name, ...(zoom ? zoomFrameSize(photo) : { width: photo.width, height: photo.height }) },
    spec: { name, maxSize: form.size, maxPixels, options, ...(zoom && { zoom }) },
    photo: bytes,
    settings: givenSettings(upload.fields),
    ...(parent !== undefined && { parent }),
  };
}

/** A zoom's frames: the photo's size made even (the MP4's pixel format needs it). */
function zoomFrameSize(photo: { width: number; height: number }): { width: number; height: number } {
  const width = photo.width - (photo.width % 2);
  const height = photo.height - (photo.height % 2);
  if (width < MIN_FRAME_SIDE || height < MIN_FRAME_SIDE) {
    throw new HttpError(400, `the photo is too thin for a zoom: its frames need ${MIN_FRAME_SIDE} px on each side`);
  }
  return { width, height };
}

function givenSettings(fields: Record<string, string>): DreamSettings {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([field, value]) => field !== 'from' && value.trim() !== '')
      .map(([field, value]) => [field, value.trim()]),
  );
}

async function checkModel(options: DreamOptions, catalog: ModelCatalog): Promise<void> {
  const model = await catalog.layers(options.model);
  if (!model) {
    const known = (await catalog.list()).map((m) => m.name).join(', ');
    throw new HttpError(400, `unknown model '${options.model}' (models: ${known})`);
  }
  const names = options.layers.length > 0 ? options.layers.map((layer) => layer.name) : [model.defaultLayer];
  for (const name of names) {
    const tensor = layerTensorName(model, name);
    if (tensor === undefined) throw new HttpError(400, `model ${model.model} has no dreamable layer '${name}'`);
    const count = model.layers.find((layer) => layer.name === tensor)?.channels;
    const outside = options.channels?.find((channel) => count !== undefined && channel >= count);
    if (outside !== undefined) {
      throw new HttpError(400, `channel ${outside} is out of range: layer '${name}' has channels 0 to ${count! - 1}`);
    }
  }
}

/** Errors of the form's and the library's validation are the client's mistakes here, told in field names. */
export async function asClientError<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new HttpError(400, errorMessage(err, fieldName));
  }
}
