/**
 * The long-lived dream worker thread (see dream-worker.ts): serves one request at a time and keeps
 * the loaded model and recently compiled gradient sessions from one dream to the next.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GradientProgram } from '../../core/engine/index.js';
import type { RgbImage } from '../../core/image/rgb.js';
import type { DreamBackend } from '../../core/dream/backend.js';
import { dreamImage } from '../../core/dream/dream-image.js';
import type { DreamOptions } from '../../core/dream/options.js';
import { SessionCache } from '../../core/dream/session-cache.js';
import { createDreamBackend } from './backend-module.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.js';

/**
 * Tile pixels of sessions kept between dreams: three 512x512 tiles, a little more than all the
 * octaves of a photo of up to 1024 pixels need, so the next photo of its size compiles nothing.
 */
const CACHED_TILE_PIXELS = 3 * 512 * 512;
/**
 * Above this, the photo's own buffers (about 50 bytes a pixel) leave no room for spare sessions:
 * it dreams as a one-off dream does, with only the session in use kept and none left after it
 * (a 4096x4096 photo must fit in 1.5 GB).
 */
const LARGE_PHOTO_PIXELS = 4 * 1024 * 1024;

interface LoadedBackend {
  backend: DreamBackend;
  /** The engine's compiled programs (absent for a backend module, which keeps its own sessions). */
  sessions?: SessionCache<GradientProgram>;
}

const port = parentPort;
if (!port) throw new Error('dream worker must run in a worker thread');
const setup = workerData as WorkerSetup;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
let current: { model: string; loading: Promise<LoadedBackend> } | undefined;
let running: { id: number; controller: AbortController } | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    if (running?.id === message.id) running.controller.abort();
  } else if (message.type === 'warm-up') {
    // A failed load is not kept: the dream that needs the model tries again and reports it.
    void backendFor(message.options).then(
      () => post({ type: 'ready', id: message.id }),
      () => post({ type: 'ready', id: message.id }),
    );
  } else {
    void dream(message);
  }
});

async function dream({
  id,
  image,
  options,
  keepSessions,
  octaveImages,
}: Extract<ToWorker, { type: 'dream' }>): Promise<void> {
  const controller = new AbortController();
  running = { id, controller };
  try {
    const { backend, sessions } = await backendFor(options);
    const oneOff = !keepSessions || image.width * image.height > LARGE_PHOTO_PIXELS;
    if (sessions) sessions.maxTilePixels = oneOff ? 0 : CACHED_TILE_PIXELS;
    const result = await dreamImage(image, options, backend, {
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'progress', id, progress }),
      // Each octave's image is a fresh copy: hand it over rather than copy it again.
      ...(octaveImages && {
        onOctave: (octaveImage: RgbImage, octave: number) =>
          post({ type: 'octave', id, image: octaveImage, octave }, [octaveImage.data.buffer as ArrayBuffer]),
      }),
    });
    if (oneOff) await sessions?.releaseAll();
    post({ type: 'done', id, image: result }, [result.data.buffer as ArrayBuffer]);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', id, name, message });
  } finally {
    running = undefined;
  }
}

/** The backend for the options' model: the one already loaded, or a new one replacing it. */
async function backendFor(options: DreamOptions): Promise<LoadedBackend> {
  if (current?.model !== options.model) {
    current = { model: options.model, loading: replaceBackend(options, current?.loading) };
  }
  const slot = current;
  try {
    return await slot.loading;
  } catch (error) {
    if (current === slot) current = undefined;
    throw error;
  }
}

async function replaceBackend(
  options: DreamOptions,
  previous: Promise<LoadedBackend> | undefined,
): Promise<LoadedBackend> {
  // One model at a time: free the previous one's sessions before loading the next.
  await previous?.then(
    ({ backend }) => backend.release(),
    () => undefined,
  );
  const { backendModule, threads, device } = setup;
  if (backendModule !== undefined) return { backend: await createDreamBackend(options, { backendModule }) };
  const sessions = new SessionCache<GradientProgram>();
  const backend = await createDreamBackend(options, {
    ...(threads !== undefined && { threads }),
    ...(device !== undefined && { device }),
    sessionCache: sessions,
  });
  return { backend, sessions };
}
