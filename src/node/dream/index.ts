/**
 * The dream library API. `dream()` runs the work in a long-lived worker thread so the caller's
 * event loop (a CLI progress bar, a web server) stays responsive; `dreamInProcess()` does the same work on
 * the calling thread (what workers and video rendering use).
 */
import type { RgbImage } from '../../core/image/rgb.js';
import { resolveDreamOptions, type DreamOptions, type DreamOptionsInput } from '../../core/dream/options.js';
import type { DreamControl } from '../../core/dream/dream-image.js';
import { backendModuleUrl } from './backend-module.js';
import { chooseDevice, type Device, type OrtDevice } from '../runtime/device.js';
import { dreamWorkerFor, type DreamWorker } from './dream-worker.js';
import type { WorkerSetup } from './worker-protocol.js';

export * from '../../core/dream/options.js';
export type { DreamControl } from '../../core/dream/dream-image.js';
export { dreamInProcess, type DreamDeps } from './in-process.js';
export type { Activations, BackendFactory, DreamBackend } from '../../core/dream/backend.js';
export { createModelBackend, modelBackend } from './model-backend.js';
export { noiseImage } from '../../core/dream/random.js';

export interface WorkerDreamDeps {
  /**
   * Path or file URL of a module exporting `createBackend` (see BackendFactory), used instead of
   * the engine inside the worker. Its backend is created once per model and serves every later
   * dream with that model. Default: the engine with the options' model.
   */
  backendModule?: string | URL;
  /**
   * Hand the image's pixel buffer to the worker instead of copying it, saving one full-size copy
   * for huge images. The caller's `image.data` is unusable (detached) afterwards.
   */
  transferImage?: boolean;
  /** ORT intra-op threads of the engine in the worker (default 2). */
  threads?: number;
  /**
   * Where the engine runs: cpu (default), cuda, webgpu, or auto (the first GPU provider that
   * works here, else the CPU). A GPU device that does not work here fails the dream with a
   * one-line OptionError saying what to install, before any work.
   */
  device?: Device;
  /**
   * Keep this dream's compiled sessions for later dreams, so the next photo of the same size
   * compiles nothing (default true). `false` frees each octave's session as soon as the next
   * octave needs another, which makes a one-off dream faster (its memory is reused, not faulted
   * in afresh: ~0.4 s on a 1024x768 photo).
   */
  keepSessions?: boolean;
  /**
   * Dreams in different lanes run at the same time, each lane in its own worker thread with its
   * own copy of the model (default lane 0); dreams of one lane wait their turn.
   */
  lane?: number;
}

/**
 * Dreams `image` in this process's dream worker thread, which keeps the model and compiled
 * sessions for the next dream (one dream at a time; later calls wait their turn). Options are
 * validated before anything is queued. Progress is reported through `control.onProgress`;
 * aborting `control.signal` rejects at once with the signal's reason and stops the work after
 * its current tile. Errors keep their message. The worker keeps the process alive only while a
 * dream is pending.
 */
export async function dream(
  image: RgbImage,
  options: DreamOptionsInput = {},
  control: DreamControl = {},
  deps: WorkerDreamDeps = {},
): Promise<RgbImage> {
  const resolved = resolveDreamOptions(options, image);
  const worker = await workerFor(deps);
  control.signal?.throwIfAborted();
  return worker.dream(image, resolved, control, {
    transferImage: deps.transferImage ?? false,
    keepSessions: deps.keepSessions ?? true,
  });
}

/**
 * Starts the dream worker for `deps` and loads the options' model in it, without waiting: call it
 * as soon as the options are known, and the model loads while this thread decodes the photo.
 * It never fails: bad options, or a model that cannot load, are reported by the dream() call.
 */
export function warmUpDream(
  options: DreamOptionsInput = {},
  deps: Omit<WorkerDreamDeps, 'transferImage' | 'keepSessions'> = {},
): void {
  let resolved: DreamOptions;
  try {
    resolved = resolveDreamOptions(options);
  } catch {
    return;
  }
  // The guide image plays no part in loading the model: do not copy it to the worker.
  workerFor(deps).then(
    (worker) => worker.warmUp({ ...resolved, guide: undefined }),
    () => undefined,
  );
}

/** The worker for `deps`, on the device they choose (probed once per process). */
async function workerFor(deps: WorkerDreamDeps): Promise<DreamWorker> {
  const { device } = await chooseDevice(deps.device ?? 'cpu');
  return dreamWorkerFor(workerSetup(deps, device));
}

function workerSetup(deps: WorkerDreamDeps, device: OrtDevice): WorkerSetup {
  return {
    ...(device !== 'cpu' && { device }),
    ...(deps.lane !== undefined && { lane: deps.lane }),
    ...(deps.backendModule !== undefined && { backendModule: backendModuleUrl(deps.backendModule) }),
    ...(deps.threads !== undefined && { threads: deps.threads }),
  };
}
