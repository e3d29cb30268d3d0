/**
 * The "Explore the network" page (/explore) and its API: models, their layers in plain words,
 * channel thumbnails (feature visualizations rendered in one background lane and kept on disk),
 * the layer strip of a photo, and "explain my photo". Thumbnails that are not rendered yet answer
 * 202 with Retry-After: the page asks again while it shows them, and a thumbnail nobody asked for
 * again in time is dropped from the lane.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LoadedModel } from '../../core/models/types.js';
import { must } from '../../core/options/checks.js';
import { resolveVisualizeSettings, type VisualizeSettingsInput } from '../../core/visualize/settings.js';
import type { RgbImage } from '../../core/image/rgb.js';
import { userCacheDir } from '../../node/models/cache.js';
import { errorMessage, oneLine } from '../shared/errors.js';
import type { ModelCatalog } from './catalog.js';
import { HttpError } from './errors.js';
import { EXPLAIN_LIMITS, explainForPage, THUMBNAIL_SIZE } from './explore/explain.js';
import { integerField, readExploreUpload, requiredField } from './explore/form.js';
import { BackgroundLane } from './explore/lane.js';
import { checkChannel, ExploreModels, exploreLayer, LAYER_BANDS } from './explore/models.js';
import { dreamStrip, STRIP_LIMITS } from './explore/strip.js';
import { Thumbnails } from './explore/thumbnails.js';

export interface ExploreContext {
  catalog: ModelCatalog;
  /** Thumbnails go to `atlas/` in it (default: `studio` in the user cache folder). */
  dataDir?: string | undefined;
  /** Feature visualization settings of the thumbnails (default: the atlas's); requests set the size. */
  settings?: VisualizeSettingsInput | undefined;
  /** The dream worker lane layer strips dream in: one the studio's dreams do not use. */
  dreamLane: number;
  /** The studio's dream backend module, for layer strips. */
  backendModule?: string | URL | undefined;
  maxUploadBytes: number;
  maxPixels: number;
}

/** ORT threads of the background lane's work: dreams keep the rest of the CPU. */
const LANE_THREADS = 1;
/** A thumbnail not asked for again within this time after its Retry-After is dropped from the lane. */
const KEEP_ALIVE_MS = 10_000;
/** Longest Retry-After of a thumbnail, in seconds. */
const MAX_RETRY_AFTER_S = 30;

/**
 * Seconds the page is told to wait before asking again for a thumbnail: 1 while it renders, one
 * more for each thumbnail ahead of it (each takes seconds). A screenful of waiting thumbnails then
 * asks a few times a second in all, well within the per-client request limit.
 */
export const thumbnailRetryAfter = (position: number): number => Math.min(MAX_RETRY_AFTER_S, 1 + position);
const THUMBNAIL_SIZES = { min: 64, max: 256 };

interface ModelParams {
  Params: { model: string };
}
interface ChannelParams {
  Params: { model: string; layer: string; file: string };
  Querystring: { size?: string };
}

export function registerExploreRoutes(app: FastifyInstance, context: ExploreContext): void {
  const models = new ExploreModels(context.catalog);
  const lane = new BackgroundLane();
  const thumbnails = new Thumbnails({
    folder: join(context.dataDir ?? join(userCacheDir(), 'studio'), 'atlas'),
    settings: resolveVisualizeSettings(context.settings),
    lane,
    threads: LANE_THREADS,
  });
  const limits = { maxUploadBytes: context.maxUploadBytes, maxPixels: context.maxPixels };
  app.addHook('preClose', async () => {
    lane.close();
    await thumbnails.close();
  });

  app.get('/explore', (_request, reply) => reply.sendFile('explore.html'));

  app.get('/api/explore/models', async () => ({ models: await context.catalog.list() }));

  app.get<ModelParams>('/api/explore/:model/layers', async (request) => {
    const model = await models.get(request.params.model);
    return {
      model: model.name,
      defaultLayer: model.defaultLayer,
      bands: LAYER_BANDS,
      layers: await models.layers(model.name),
    };
  });

  app.get<ChannelParams>('/api/explore/:model/:layer/channels/:file', async (request, reply) => {
    const { params, query } = request;
    const model = await models.get(params.model);
    const layer = exploreLayer(model, params.layer);
    const match = /^(\d{1,6})\.png$/.exec(params.file);
    if (!match) throw new HttpError(400, `channel must be a whole number, as in channels/7.png (got '${params.file}')`);
    const channel = Number(match[1]);
    checkChannel(layer, channel);
    const size = integerField('size', query.size, THUMBNAIL_SIZE, {
      min: Math.max(THUMBNAIL_SIZES.min, model.minInputSize),
      max: THUMBNAIL_SIZES.max,
    });
    const thumbnail = { model, layer, channel, size };
    const png = await thumbnails.cached(thumbnail);
    if (png) return reply.type('image/png').header('cache-control', 'public, max-age=86400').send(png);
    const keepAlive = new AbortController();
    const position = thumbnails.request(thumbnail, keepAlive.signal);
    const retryAfter = thumbnailRetryAfter(position);
    setTimeout(() => keepAlive.abort(new Error('not asked for again')), retryAfter * 1000 + KEEP_ALIVE_MS).unref();
    return reply
      .status(202)
      .header('retry-after', String(retryAfter))
      .header('cache-control', 'no-store')
      .send({ status: position === 0 ? 'rendering' : 'queued', position });
  });

  app.post('/api/explore/strip', async (request, reply) => {
    const { fields, photo } = await readExploreUpload(request, ['model', 'size', 'steps'], {
      ...limits,
      maxSize: ({ size }) => integerField('size', size, STRIP_LIMITS.size.default, STRIP_LIMITS.size),
    });
    const model = await models.get(requiredField(fields, 'model'));
    const steps = integerField('steps', fields.steps, STRIP_LIMITS.steps.default, STRIP_LIMITS.steps);
    checkPhotoSize(model, photo.image);
    const signal = clientGone(reply);
    const deps = {
      lane: context.dreamLane,
      threads: LANE_THREADS,
      ...(context.backendModule !== undefined && { backendModule: context.backendModule }),
    };
    const frames = dreamStrip({ model, photo: photo.image, steps }, lane, deps, signal);
    async function* lines(): AsyncGenerator<string> {
      yield `${JSON.stringify({ model: model.name, width: photo.width, height: photo.height, layers: frames.layers })}\n`;
      try {
        for await (const frame of frames.dreams) yield `${JSON.stringify(frame)}\n`;
      } catch (err) {
        if (!signal.aborted) yield `${JSON.stringify({ error: oneLine(errorMessage(err)) })}\n`;
      }
    }
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Readable.from(lines()));
  });

  app.post('/api/explore/explain', async (request, reply) => {
    const { fields, photo } = await readExploreUpload(request, ['model', 'layer', 'top'], {
      ...limits,
      maxSize: () => EXPLAIN_LIMITS.size,
    });
    const model = await models.get(requiredField(fields, 'model'));
    const layer = exploreLayer(model, requiredField(fields, 'layer'));
    const top = integerField('top', fields.top, EXPLAIN_LIMITS.top.default, EXPLAIN_LIMITS.top);
    checkPhotoSize(model, photo.image);
    return explainForPage({ model, layer: layer.name, photo: photo.image, top }, lane, LANE_THREADS, clientGone(reply));
  });
}

/** 400 for a photo smaller than the network takes. */
function checkPhotoSize(model: LoadedModel, photo: RgbImage): void {
  if (Math.min(photo.width, photo.height) < model.minInputSize)
    throw new HttpError(
      400,
      `photo ${must(`be at least ${model.minInputSize} pixels on each side for ${model.name}`, `${photo.width}x${photo.height}`)}`,
    );
}

/** Aborted when the client goes away before its answer is complete. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client went away'));
  });
  return controller.signal;
}
