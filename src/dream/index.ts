/**
 * The dream library API. `dream()` runs the work in a worker thread so the caller's event loop
 * (a CLI progress bar, a web server) stays responsive; `dreamInProcess()` does the same work on
 * the calling thread (what workers and video rendering use).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RgbImage } from '../image/rgb.js';
import { resolveDreamOptions, type DreamOptionsInput } from './options.js';
import type { DreamControl } from './dream-in-process.js';
import type { WorkerInput } from './worker.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

export * from './options.js';
export { dreamInProcess, type DreamControl, type DreamDeps } from './dream-in-process.js';
export type { Activations, BackendFactory, DreamBackend } from './backend.js';
export { createModelBackend, modelBackend } from './model-backend.js';
export { noiseImage } from './random.js';

export interface WorkerDreamDeps {
  /**
   * Path or file URL of a module exporting `createBackend` (see BackendFactory), used instead of
   * the engine inside the worker. Default: the engine with the options' model.
   */
  backendModule?: string | URL;
  /**
   * Hand the image's pixel buffer to the worker instead of copying it, saving one full-size copy
   * for huge images. The caller's `image.data` is unusable (detached) afterwards.
   */
  transferImage?: boolean;
  /** ORT intra-op threads of the engine in the worker (default 2). */
  threads?: number;
}

/**
 * Dreams `image` in a worker thread. Options are validated before the worker starts. Progress is
 * reported through `control.onProgress`; aborting `control.signal` rejects at once with the
 * signal's reason and stops the worker after its current tile. Errors keep their message.
 */
export async function dream(
  image: RgbImage,
  options: DreamOptionsInput = {},
  control: DreamControl = {},
  deps: WorkerDreamDeps = {},
): Promise<RgbImage> {
  const resolved = resolveDreamOptions(options);
  control.signal?.throwIfAborted();
  const workerData: WorkerInput = {
    image,
    options: resolved,
    ...(deps.backendModule !== undefined && { backendModule: moduleUrl(deps.backendModule) }),
    ...(deps.threads !== undefined && { threads: deps.threads }),
  };
  const worker = startWorker(workerData, deps.transferImage ? [image.data.buffer as ArrayBuffer] : []);
  return new Promise<RgbImage>((resolve, reject) => {
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      control.signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'abort' } satisfies ToWorker);
      finish(() => reject(control.signal?.reason));
    };
    control.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'progress') {
        if (!settled) control.onProgress?.(message.progress);
        return;
      }
      void worker.terminate();
      if (message.type === 'done') finish(() => resolve(message.image));
      else finish(() => reject(new Error(message.message)));
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`dream worker stopped unexpectedly (exit code ${code})`))),
    );
  });
}

function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return module.startsWith('file:') ? module : pathToFileURL(resolve(module)).href;
}

/**
 * From TypeScript sources (run through tsx, no build step) the worker must register tsx's loader
 * itself: module hooks are not inherited by worker threads. From compiled JavaScript it starts directly.
 */
function startWorker(workerData: WorkerInput, transferList: ArrayBuffer[]): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData, transferList });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, transferList });
}
