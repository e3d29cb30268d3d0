/**
 * Turning an upload into a dream request: every check that can fail (fields, options, model,
 * layer, photo) runs before the dream is queued, so a bad request gets a 4xx at once.
 */
import { resolveDreamOptions, type DreamOptions } from '../../core/dream/options.js';
import { layerTensorName } from '../../core/models/layers.js';
import { readImage } from '../../node/image/read.js';
import type { DreamJobSpec } from '../shared/dream-job.js';
import { errorMessage } from '../shared/errors.js';
import type { ModelCatalog } from './catalog.js';
import { HttpError } from './errors.js';
import { fieldName, parseForm, type FormLimits } from './form.js';
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
}

export async function parseDreamRequest(
  upload: Upload,
  context: { limits: DreamLimits; catalog: ModelCatalog },
): Promise<DreamRequest> {
  const form = await asClientError(() => parseForm(upload.fields, context.limits));
  if (!upload.photo) throw new HttpError(400, "no photo: send it in the 'image' field");
  await checkModel(await asClientError(() => resolveDreamOptions(form.options)), context.catalog);
  const { name, bytes } = upload.photo;
  const { maxPixels } = context.limits;
  const photo = await asClientError(() => readImage(bytes, { maxSize: form.size, maxPixels, name }));
  // The octave count follows the photo's size, as in the CLI; the recipe records it.
  const options = resolveDreamOptions(form.options, photo.image);
  return {
    info: { name, width: photo.width, height: photo.height },
    spec: { name, maxSize: form.size, maxPixels, options },
    photo: bytes,
  };
}
async function checkModel(options: DreamOptions, catalog: ModelCatalog): Promise<void> {
  const model = await catalog.layers(options.model);
  if (!model) {
    const known = (await catalog.list()).map((m) => m.name).join(', ');
    throw new HttpError(400, `unknown model '${options.model}' (models: ${known})`);
  }
  for (const { name } of options.layers) {
    if (layerTensorName(model, name) === undefined) {
      throw new HttpError(400, `model ${model.model} has no dreamable layer '${name}'`);
    }
  }
}

/** Errors of the form's and the library's validation are the client's mistakes here, told in field names. */
async function asClientError<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new HttpError(400, errorMessage(err, fieldName));
  }
}
