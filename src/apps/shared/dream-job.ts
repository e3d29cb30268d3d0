/**
 * A studio dream as data: what it takes to run it besides the photo's bytes. The studio stores it,
 * a distributed queue carries it, and any process runs it with `runDreamJob`.
 */
import type { DreamOptions, DreamProgress } from '../../core/dream/options.js';
import type { CameraMove } from '../../core/video/warp.js';
import { dream, type WorkerDreamDeps } from '../../node/dream/index.js';
import { readImage } from '../../node/image/read.js';
import { imagePreviews } from './dream-preview.js';
import { runZoomJob } from './zoom-job.js';
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
  /** An endless zoom from the photo instead of one dream: each frame dreams the last one, moved. */
  zoom?: ZoomJobSettings;
}

/** A zoom job's frames and camera move; the photo, cover-cropped to its dreamed size, is frame 0's start. */
export interface ZoomJobSettings {
  frames: number;
  fps: number;
  move: CameraMove;
  /** 0..1: how far each frame's colours are pulled back to the first frame's. */
  colorLock: number;
}

/** A zoom job's progress: frames dreamed of all, then the MP4 being made. */
export interface ZoomJobProgress {
  phase: 'dream' | 'encode';
  /** Frames finished. */
  frame: number;
  frames: number;
  /** Share of the job's work done, 0..1. */
  fraction: number;
  /** Frames taken over from an earlier run of the job that stopped (its checkpoints). */
  resumed: number;
  etaSeconds?: number;
}

/** What a job reports as it runs: a dream's octaves and steps, or a zoom's frames. */
export type JobProgress = DreamProgress | ZoomJobProgress;

/** What a job makes: a picture (one dream) or an endless zoom. */
export type DreamKind = 'picture' | 'zoom';

export const DREAM_KINDS: readonly DreamKind[] = ['picture', 'zoom'];

export const dreamKind = (spec: DreamJobSpec): DreamKind => (spec.zoom ? 'zoom' : 'picture');

/** A job's result: a picture's PNG, or a zoom's MP4. */
export type ResultFormat = 'png' | 'mp4';

export const resultFormat = (spec: DreamJobSpec): ResultFormat => (spec.zoom ? 'mp4' : 'png');

/** What the runner of a job is told and may report: progress, cancellation, and its lane. */
export interface DreamJobControl {
  onProgress: (progress: JobProgress) => void;
  signal: AbortSignal;
  /** Which of the runner's parallel lanes runs it: no two running dreams share one. */
  lane: number;
  /**
   * The dream so far after each octave but the last (a zoom: each frame as it is finished), as a
   * PNG of the dream's shape at most PREVIEW_MAX_SIDE px on the long side; all are handed on
   * before the job resolves.
   */
  onPreview?: (png: Buffer, index: number) => void;
  /**
   * A folder of this job's alone that outlives the runner: a zoom checkpoints its frames there
   * and, run again after a stop, continues from them. Without it, a temporary folder.
   */
  workDir?: string;
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

/** Runs one job to its result (resultFormat, recipe inside); rejects with the signal's reason when aborted. */
export type DreamExecutor = (
  job: { id: string; spec: DreamJobSpec; photo: Uint8Array },
  control: DreamJobControl,
) => Promise<Buffer>;

/** Runs the job in this process's dream worker: a picture (runPictureJob) or a zoom (runZoomJob). */
export function runDreamJob(
  spec: DreamJobSpec,
  photoBytes: Uint8Array,
  control: DreamJobControl,
  deps: WorkerDreamDeps = {},
): Promise<Buffer> {
  const { zoom } = spec;
  return zoom
    ? runZoomJob({ ...spec, zoom }, photoBytes, control, deps)
    : runPictureJob(spec, photoBytes, control, deps);
}

/** Decodes the photo, dreams it in this process's dream worker, and encodes the PNG with its recipe. */
async function runPictureJob(
  spec: DreamJobSpec,
  photoBytes: Uint8Array,
  control: DreamJobControl,
  deps: WorkerDreamDeps,
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
  const previews = onPreview && imagePreviews(photo.image, onPreview, signal);
  // The decoded pixels are not used again here: hand them to the worker rather than copy them.
  const dreamed = await dream(
    photo.image,
    spec.options,
    { onProgress, signal, ...(previews && { onOctave: previews.add }) },
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
