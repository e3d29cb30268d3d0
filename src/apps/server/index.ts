/**
 * The web studio: one page (public/) where a person uploads a photo, picks a look and gets a
 * dream back, over a small JSON API. Dreams are kept in a data folder (store/) and run in the
 * dream worker thread through a bounded queue, or, with a web build, in the person's browser
 * (routes-device.ts).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { checkInteger } from '../../core/options/checks.js';
import type { VisualizeSettingsInput } from '../../core/visualize/settings.js';
import { DEFAULT_MAX_PIXELS } from '../../node/image/read.js';
import type { Device } from '../../node/runtime/device.js';
import { installedModelCatalog, type ModelCatalog } from './catalog.js';
import type { WorkerDreamDeps } from '../../node/dream/index.js';
import { localDreamExecutor, type DreamExecutor } from '../shared/dream-job.js';
import { handleError } from './errors.js';
import { MIN_SIZE, MIN_ZOOM_FRAMES } from './form.js';
import {
  registerGuard,
  resolveGuardOptions,
  serverTimeouts,
  type GuardOptions,
  type ResolvedGuardOptions,
} from './guard/index.js';
import { registerOwners } from './owner.js';
import { DreamQueue } from './queue.js';
import { registerCatalogRoutes } from './routes-catalog.js';
import { DEVICE_PREFIX, hasWebBuild, registerDeviceRoutes } from './routes-device.js';
import { registerDreamRoutes } from './routes-dreams.js';
import { registerExploreRoutes } from './routes-explore.js';
import { registerShareRoutes } from './routes-share.js';
import { registerShutdown } from './shutdown.js';
import { DreamStore } from './store/index.js';

export type { ModelCatalog, ModelLayers, ModelSummary, LayerSummary } from './catalog.js';
export type { DreamStatus, DreamView } from './queue.js';

export interface StudioOptions extends GuardOptions {
  /**
   * The folder that keeps the dreams (a database, the photos and the results) and the explore
   * page's thumbnails, so that they outlive the process (default: defaultDataDir()).
   */
  dataDir?: string;
  /** Finished dreams older than this many days are deleted (default: kept). */
  keepDays?: number;
  /** While the dreams take more bytes than this, the oldest finished ones are deleted (default: kept). */
  keepBytes?: number;
  /** Dreams running at once (default 1: a dream already uses the CPU's cores). */
  concurrency?: number;
  /** Dreams allowed to wait for their turn (default 10); more get 503. */
  maxQueued?: number;
  /** Dreams one browser may have waiting or running (default 3); more get 429. */
  maxQueuedPerOwner?: number;
  /** Largest upload in bytes (default 20 MB). */
  maxUploadBytes?: number;
  /** Long side photos are scaled down to (default 1024, like the CLI). */
  maxSize?: number;
  /** Photos with more pixels are refused before decoding (default: the CLI's limit). */
  maxPixels?: number;
  /** Most steps per octave the form accepts (default 100). */
  maxSteps?: number;
  /** Most frames of a zoom (default 250: 10 s). */
  maxZoomFrames?: number;
  /** Long side a zoom's frames are scaled down to (default 512). */
  maxZoomSize?: number;
  /** Runs the dreams (default: localDreamExecutor, in this process's dream workers). */
  executor?: DreamExecutor;
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
  /** Feature visualization settings of the explore page's thumbnails (default: the atlas's). */
  exploreSettings?: VisualizeSettingsInput;
  /** Receives one line per request; quiet when absent. */
  log?: (line: string) => void;
}

export const DEFAULT_STUDIO_OPTIONS = {
  concurrency: 1,
  maxQueued: 10,
  maxQueuedPerOwner: 3,
  maxUploadBytes: 20 * 1024 * 1024,
  maxSize: 1024,
  maxSteps: 100,
  maxZoomFrames: 250,
  maxZoomSize: 512,
} as const;

/** $XDG_DATA_HOME/inceptionism/studio, or ~/.local/share/inceptionism/studio. */
export function defaultDataDir(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'inceptionism', 'studio');
}

/** How often the retention settings are applied besides after each dream. */
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

export async function createStudioServer(options: StudioOptions = {}): Promise<FastifyInstance> {
  const o = { ...DEFAULT_STUDIO_OPTIONS, ...options };
  for (const key of ['concurrency', 'maxQueued', 'maxQueuedPerOwner', 'maxUploadBytes', 'maxSteps'] as const) {
    checkInteger(key, o[key], { min: 1 });
  }
  checkInteger('maxZoomFrames', o.maxZoomFrames, { min: MIN_ZOOM_FRAMES });
  for (const key of ['maxSize', 'maxZoomSize'] as const) checkInteger(key, o[key], { min: MIN_SIZE });
  for (const key of ['keepDays', 'keepBytes'] as const) {
    if (o[key] !== undefined) checkInteger(key, o[key], { min: 1 });
  }

  const guard = resolveGuardOptions(options);
  const deps = {
    ...(o.backendModule !== undefined && { backendModule: o.backendModule }),
    ...(o.threads !== undefined && { threads: o.threads }),
    ...(o.device !== undefined && { device: o.device }),
  };
  const dataDir = o.dataDir ?? defaultDataDir();
  const store = await DreamStore.open(dataDir, {
    ...(o.keepDays !== undefined && { keepDays: o.keepDays }),
    ...(o.keepBytes !== undefined && { keepBytes: o.keepBytes }),
  });
  try {
    return await createStudio(store, { ...o, dataDir }, deps, guard);
  } catch (err) {
    store.close();
    throw err;
  }
}

async function createStudio(
  store: DreamStore,
  o: StudioOptions & Record<keyof typeof DEFAULT_STUDIO_OPTIONS, number> & { dataDir: string },
  deps: WorkerDreamDeps,
  guard: ResolvedGuardOptions,
): Promise<FastifyInstance> {
  const queue = new DreamQueue(store, o.executor ?? localDreamExecutor(deps), o);
  // Requests during a shutdown get the studio's own 503 (shutdown.ts) rather than Fastify's.
  const app = Fastify({ logger: false, return503OnClosing: false, ...serverTimeouts(guard) });
  const catalog = o.catalog ?? installedModelCatalog();
  const { maxSize, maxSteps, maxZoomFrames, maxZoomSize } = o;
  const limits = { maxSize, maxSteps, maxZoomFrames, maxZoomSize, maxPixels: o.maxPixels ?? DEFAULT_MAX_PIXELS };
  const retention = setInterval(() => void store.applyRetention().catch(() => undefined), RETENTION_INTERVAL_MS);
  retention.unref();

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
  registerShutdown(app, { queue, store, timers: [retention] });
  await registerGuard(app, guard);

  await registerOwners(app);
  await app.register(fastifyMultipart);
  await app.register(fastifyStatic, { root: fileURLToPath(new URL('./public/', import.meta.url)) });
  const webDir = o.webDir ?? fileURLToPath(new URL('../../../dist/site/', import.meta.url));
  const device = hasWebBuild(webDir) ? { bundle: DEVICE_PREFIX } : undefined;
  if (device) await registerDeviceRoutes(app, { webDir, catalog });
  registerCatalogRoutes(app, { catalog, limits, maxUploadBytes: o.maxUploadBytes, ...(device && { device }) });
  registerDreamRoutes(app, { queue, store, catalog, limits, maxUploadBytes: o.maxUploadBytes });
  registerShareRoutes(app, { queue, store });
  registerExploreRoutes(app, {
    dataDir: o.dataDir,
    settings: o.exploreSettings,
    backendModule: o.backendModule,
    catalog,
    dreamLane: o.concurrency,
    maxUploadBytes: o.maxUploadBytes,
    ...limits,
  });
  if (!o.executor) {
    // The default model loads in the dream worker now rather than when the first photo arrives.
    const { warmUpDream } = await import('../../node/dream/index.js');
    warmUpDream({}, deps);
  }
  queue.start();
  return app;
}
