/**
 * A studio dream as data: what it takes to run it besides the photo's bytes. The studio stores it,
 * a distributed queue carries it, and any process runs it with `runDreamJob`.
 */
import type { DreamControl } from '../../core/dream/dream-image.js';
import type { DreamOptions } from '../../core/dream/options.js';
import { dream, type WorkerDreamDeps } from '../../node/dream/index.js';
import { readImage } from '../../node/image/read.js';
import { octavePreviews } from './dream-preview.js';
import { encodeImage } from '../../node/image/write.js';
import type { DreamRecipe } from './recipe.js';
import { programVersion } from './version.js';

export interface DreamJobSpec {
  /** The photo's name, as uploaded. */
  name: string;
  /** Long side the photo is scaled down to before dreaming. */
  maxSize: number;
  /** Photos with more pixels are refused before decoding. */
  maxPixels: number;
  /** Every dream option, resolved for the photo at its dreamed size (plain JSON: no guide image). */
  options: Omit<DreamOptions, 'guide'>;
}

/** What the runner of a job is told and may report: progress, cancellation, and its lane. */
export interface DreamJobControl {
  onProgress: NonNullable<DreamControl['onProgress']>;
  signal: AbortSignal;
  /** Which of the runner's parallel lanes runs it: no two running dreams share one. */
  lane: number;
  /**
   * The dream so far after each octave but the last, as a PNG of the dream's shape at most
   * PREVIEW_MAX_SIDE px on the long side; all are handed on before the job resolves.
   */
  onPreview?: (png: Buffer, octave: number) => void;
}

/**
 * The abort reason of a runner that stops for a shutdown: the job is to run again at the next
 * start, so an executor leaves it where it is rather than cancelling it.
 */
export class ShuttingDown extends Error {
  constructor() {
    super('the studio is closing');
    this.name = 'ShuttingDown';
  }
}

/** Runs one job to its PNG (recipe inside); rejects with the signal's reason when aborted. */
export type DreamExecutor = (
  job: { id: string; spec: DreamJobSpec; photo: Uint8Array },
  control: DreamJobControl,
) => Promise<Buffer>;

/** Decodes the photo, dreams it in this process's dream worker, and encodes the PNG with its recipe. */
export async function runDreamJob(
  spec: DreamJobSpec,
  photoBytes: Uint8Array,
  control: DreamJobControl,
  deps: WorkerDreamDeps = {},
): Promise<Buffer> {
  const photo = await readImage(Buffer.from(photoBytes.buffer, photoBytes.byteOffset, photoBytes.byteLength), {
    maxSize: spec.maxSize,
    maxPixels: spec.maxPixels,
    name: spec.name,
  });
  const recipe: DreamRecipe = {
    program: 'inceptionism',
    version: programVersion(),
    input: { name: spec.name, bytes: photoBytes.byteLength },
    maxSize: spec.maxSize,
    options: spec.options,
  };
  const { onProgress, signal, onPreview } = control;
  const previews = onPreview && octavePreviews(photo.image, onPreview, signal);
  // The decoded pixels are not used again here: hand them to the worker rather than copy them.
  const dreamed = await dream(
    photo.image,
    spec.options,
    { onProgress, signal, ...(previews && { onOctave: previews.onOctave }) },
    { ...deps, lane: control.lane, transferImage: true },
  );
  await previews?.settled();
  return encodeImage(dreamed, 'png', { ...(photo.alpha && { alpha: photo.alpha }), recipe });
}

/** The executor that runs jobs in this process's dream workers. */
export const localDreamExecutor =
  (deps: WorkerDreamDeps = {}): DreamExecutor =>
  ({ spec, photo }, control) =>
    runDreamJob(spec, photo, control, deps);
