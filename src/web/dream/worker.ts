/**
 * The dream worker: the core's dream on onnxruntime-web, off the page's thread so the page stays
 * responsive. It keeps one model (with its compiled sessions) between dreams.
 */
import type { DreamBackend } from '../../core/dream/backend.js';
import { dreamImage } from '../../core/dream/dream-image.js';
import { modelBackend } from '../../core/dream/model-backend.js';
import { resolveDreamOptions } from '../../core/dream/options.js';
import { SessionCache } from '../../core/dream/session-cache.js';
import type { Runtime } from '../../core/engine/runtime.js';
import { decodePhoto, encodePng } from '../image/photo.js';
import { fetchModel } from '../models/fetch-model.js';
import { chooseEngine, engineLabel, probeBrowser } from '../runtime/engine-choice.js';
import { importOrt, webRuntime } from '../runtime/ort-web.js';
import { failureMessage } from './failure.js';
import { manifestUrl, type DreamOrder, type FromDreamWorker, type ToDreamWorker } from './protocol.js';

/** Compiled sessions kept between steps and dreams: one full tile's worth bounds the tab's memory. */
const KEPT_TILE_PIXELS = 512 * 512;

const post = (message: FromDreamWorker) => self.postMessage(message);

let runtime: Promise<Runtime> | undefined;
let current: { name: string; backend: Promise<DreamBackend> } | undefined;
/** Dreams run one after another. */
let queue: Promise<void> = Promise.resolve();

function engineRuntime(): Promise<Runtime> {
  runtime ??= (async () => {
    const engine = chooseEngine(await probeBrowser(self));
    post({ type: 'engine', engine: { ...engine, label: engineLabel(engine) } });
    return webRuntime(await importOrt(engine), engine, new URL('ort/', self.location.href).href);
  })();
  return runtime;
}

function backendFor(name: string): Promise<DreamBackend> {
  if (current?.name === name) return current.backend;
  const previous = current?.backend;
  const backend = (async () => {
    // One model at a time: the last one's sessions are freed before the next one loads.
    await previous?.then((b) => b.release()).catch(() => undefined);
    const engine = await engineRuntime();
    const started = performance.now();
    const { model, cached } = await fetchModel(manifestUrl(self.location.href, name), ({ received, total }) =>
      post({ type: 'model', name, received, total }),
    );
    post({ type: 'model-ready', name, cached, ms: performance.now() - started });
    return modelBackend(model, engine, { sessionCache: new SessionCache(KEPT_TILE_PIXELS) });
  })();
  current = { name, backend };
  // A failed load is tried again by the next dream.
  backend.catch(() => {
    if (current?.backend === backend) current = undefined;
  });
  return backend;
}

async function dream(order: DreamOrder): Promise<void> {
  try {
    const options = resolveDreamOptions(order.options);
    const { image, alpha } = await decodePhoto(order.photo, order.name, order);
    const backend = await backendFor(options.model);
    // The options as given: the octave count follows the photo's size, as on the server.
    const dreamed = await dreamImage(image, order.options, backend, {
      onProgress: (progress) => post({ type: 'progress', id: order.id, progress }),
    });
    const png = await encodePng(dreamed, alpha);
    post({ type: 'done', id: order.id, png, width: dreamed.width, height: dreamed.height });
  } catch (err) {
    post({ type: 'failed', id: order.id, message: failureMessage(err) });
  }
}

self.onmessage = (event: MessageEvent<ToDreamWorker>) => {
  const message = event.data;
  if (message.type === 'prepare') {
    backendFor(message.model).catch((err: unknown) =>
      post({ type: 'model-failed', name: message.model, message: failureMessage(err) }),
    );
  }
  if (message.type === 'dream') queue = queue.then(() => dream(message));
};
