/**
 * Turning an upload into a dream request: every check that can fail (fields, options, model,
 * layer, photo) runs before the dream is queued, so a bad request gets a 4xx at once.
 */
import type { WorkerDreamDeps } from '../../node/dream/index.js';
import { resolveDreamOptions, type DreamOptions } from '../../core/dream/options.js';
import { layerTensorName } from '../../core/models/layers.js';
import { readImage, type LoadedImage } from '../../node/image/read.js';
import { encodeImage } from '../../node/image/write.js';
import { errorMessage } from '../shared/errors.js';
import type { DreamRecipe } from '../shared/recipe.js';
import { programVersion } from '../shared/version.js';
import type { ModelCatalog } from './catalog.js';
import { HttpError } from './errors.js';
import { fieldName, parseForm, type FormLimits } from './form.js';
import type { DreamTask } from './queue.js';
import type { Upload } from './upload.js';

export interface DreamLimits extends FormLimits {
  /** Photos with more pixels are refused before decoding. */
  maxPixels: number;
}

/** What a client asked for, checked: the photo as it will be dreamed, and the dream to queue. */
export interface DreamRequest {
  info: { name: string; width: number; height: number };
  task: DreamTask;
}

export async function parseDreamRequest(
  upload: Upload,
  context: { limits: DreamLimits; catalog: ModelCatalog; deps: WorkerDreamDeps },
): Promise<DreamRequest> {
  const form = await asClientError(() => parseForm(upload.fields, context.limits));
  if (!upload.photo) throw new HttpError(400, "no photo: send it in the 'image' field");
  await checkModel(await asClientError(() => resolveDreamOptions(form.options)), context.catalog);
  const { name, bytes } = upload.photo;
  const photo = await asClientError(() =>
    readImage(bytes, { maxSize: form.size, maxPixels: context.limits.maxPixels, name }),
  );
  // The octave count follows the photo's size, as in the CLI; the recipe records it.
  const options = resolveDreamOptions(form.options, photo.image);
  const recipe: DreamRecipe = {
    program: 'inceptionism',
    version: programVersion(),
    input: { name, bytes: bytes.length },
    maxSize: form.size,
    options,
  };
  return {
    info: { name, width: photo.width, height: photo.height },
    task: dreamTask(photo, options, recipe, context.deps),
  };
}

/** The dream in a worker thread, then the PNG with its recipe, as the CLI writes it. */
function dreamTask(photo: LoadedImage, options: DreamOptions, recipe: DreamRecipe, deps: WorkerDreamDeps): DreamTask {
  return async (control) => {
    const { dream } = await import('../../node/dream/index.js');
    // The upload is not used again: hand its pixels to the worker rather than copy them.
    const dreamed = await dream(photo.image, options, control, { ...deps, lane: control.lane, transferImage: true });
    return encodeImage(dreamed, 'png', { ...(photo.alpha && { alpha: photo.alpha }), recipe });
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
