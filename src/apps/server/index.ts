/**
 * The web studio: one page (public/) where a person uploads a photo, picks a look and gets a
 * dream back, over a small JSON API. Dreams run in the dream worker thread through a bounded queue,
 * or, with a web build, in the person's browser (routes-device.ts).
 */
import { fileURLToPath } from 'node:url';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { checkInteger } from '../../core/options/checks.js';
import { DEFAULT_MAX_PIXELS } from '../../node/image/read.js';
import type { Device } from '../../node/runtime/device.js';
import { installedModelCatalog, type ModelCatalog } from './catalog.js';
import { localDreamExecutor } from '../shared/dream-job.js';
import { handleError } from './errors.js';
import { DreamQueue } from './queue.js';
import { registerCatalogRoutes } from './routes-catalog.js';
import { DEVICE_PREFIX, hasWebBuild, registerDeviceRoutes } from './routes-device.js';
import { registerDreamRoutes } from './routes-dreams.js';

export type { ModelCatalog, ModelLayers, ModelSummary, LayerSummary } from './catalog.js';
export type { DreamStatus, DreamView } from './queue.js';

export interface StudioOptions {
  /** Dreams running at once (default 1: a dream already uses the CPU's cores). */
  concurrency?: number;
  /** Dreams allowed to wait for their turn (default 10); more get 503. */
  maxQueued?: number;
  /** Largest upload in bytes (default 20 MB). */
  maxUploadBytes?: number;
  /** Long side photos are scaled down to (default 1024, like the CLI). */
  maxSize?: number;
  /** Photos with more pixels are refused before decoding (default: the CLI's limit). */
  maxPixels?: number;
  /** Most steps per octave the form accepts (default 100). */
  maxSteps?: number;
  /** Finished dreams kept in memory (default 20) and for how long (default one hour). */
  maxResults?: number;
  resultTtlMs?: number;
  /** Module exporting `createBackend` to dream with instead of the engine (see dream/backend.ts). */
  backendModule?: string | URL;
  /** ORT threads per dream. */
  threads?: number;
  /** Where dreams run: cpu (default), cuda, webgpu or auto (see the library's dream()). */
  device?: Device;
  /**
   * The web build (`npm run build:web`) whose worker the page's "Dream on this device" runs
   * (default: dist/site of this package). Without one the page offers server dreams only.
   */
  webDir?: string;
  /** Where models and layers come from (default: bundled and installed models). */
  catalog?: ModelCatalog;
  /** Receives one line per request; quiet when absent. */
  log?: (line: string) => void;
}

export const DEFAULT_STUDIO_OPTIONS = {
  concurrency: 1,
  maxQueued: 10,
  maxUploadBytes: 20 * 1024 * 1024,
  maxSize: 1024,
  maxSteps: 100,
  maxResults: 20,
  resultTtlMs: 60 * 60 * 1000,
} as const;

export async function createStudioServer(options: StudioOptions = {}): Promise<FastifyInstance> {
  const o = { ...DEFAULT_STUDIO_OPTIONS, ...options };
  for (const key of ['concurrency', 'maxQueued', 'maxUploadBytes', 'maxSteps', 'maxResults', 'resultTtlMs'] as const) {
    checkInteger(key, o[key], { min: 1 });
  }
  checkInteger('maxSize', o.maxSize, { min: 64 });

  const app = Fastify({ logger: false });
  const queue = new DreamQueue(o);
  const catalog = o.catalog ?? installedModelCatalog();
  const limits = { maxSize: o.maxSize, maxSteps: o.maxSteps, maxPixels: o.maxPixels ?? DEFAULT_MAX_PIXELS };
  const deps = {
    ...(o.backendModule !== undefined && { backendModule: o.backendModule }),
    ...(o.threads !== undefined && { threads: o.threads }),
    ...(o.device !== undefined && { device: o.device }),
  };

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: `not found: ${request.method} ${request.url.split('?')[0]}` });
  });
  const { log } = o;
  if (log) {
    app.addHook('onResponse', async (request, reply) => {
      log(`${request.method} ${request.url} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms`);
    });
  }
  // Cross-origin isolated, so dreams on the device get WebAssembly threads (shared memory).
  app.addHook('onSend', async (_request, reply) => {
    void reply
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cross-origin-embedder-policy', 'require-corp');
  });
  // Before the server closes: cancelling ends the event streams that would keep it open.
  app.addHook('preClose', async () => queue.close());

  await app.register(fastifyMultipart);
  await app.register(fastifyStatic, { root: fileURLToPath(new URL('./public/', import.meta.url)) });
  const webDir = o.webDir ?? fileURLToPath(new URL('../../../dist/site/', import.meta.url));
  const device = hasWebBuild(webDir) ? { bundle: DEVICE_PREFIX } : undefined;
  if (device) await registerDeviceRoutes(app, { webDir, catalog });
  registerCatalogRoutes(app, { catalog, limits, maxUploadBytes: o.maxUploadBytes, ...(device && { device }) });
  registerDreamRoutes(app, {
    queue,
    catalog,
    limits,
    maxUploadBytes: o.maxUploadBytes,
    execute: localDreamExecutor(deps),
  });
  // The default model loads in the dream worker now rather than when the first photo arrives.
  const { warmUpDream } = await import('../../node/dream/index.js');
  warmUpDream({}, deps);
  return app;
}
