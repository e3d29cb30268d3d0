/**
 * The caller's dreams: POST /api/dreams queues one, GET lists them or reports one (or streams it
 * as Server-Sent Events), DELETE cancels or deletes one, and /result, /original and /preview
 * serve its images. Another browser's dream answers 404, like one that does not exist.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkInteger, integerText } from '../../core/options/checks.js';
import { readImage } from '../../node/image/read.js';
import { encodeImage } from '../../node/image/write.js';
import type { ModelCatalog } from './catalog.js';
import { asClientError, parseDreamRequest, type DreamLimits, type DreamedPhoto } from './dream-request.js';
import { dreamKind, resultFormat, type DreamKind, type ResultFormat } from '../shared/dream-job.js';
import { HttpError } from './errors.js';
import { isFinished, type DreamQueue, type DreamView, type Refusal } from './queue.js';
import type { DreamRecord, DreamStore } from './store/index.js';
import { readUpload } from './upload.js';

interface IdParams {
  Params: { id: string };
}

/** Dreams listed per page by default, and at most. */
const PAGE = { default: 50, max: 200 };
/** What a refused client is told to wait before trying again, in seconds. */
const RETRY_AFTER_SECONDS = 30;

export interface DreamRoutesContext {
  queue: DreamQueue;
  store: DreamStore;
  catalog: ModelCatalog;
  limits: DreamLimits;
  maxUploadBytes: number;
}

export function registerDreamRoutes(app: FastifyInstance, context: DreamRoutesContext): void {
  const { queue, store } = context;
  const owned = (request: FastifyRequest<IdParams>): DreamRecord => ownedDream(store, request);
  const view = (record: DreamRecord): DreamView => queue.view(record, { owner: true });

  app.post('/api/dreams', async (request, reply) => {
    // Refused before the upload is read: a busy studio does not take in 20 MB to say no.
    const refused = queue.refusal(request.owner);
    if (refused) return refuse(reply, refused);
    const upload = await readUpload(request, context.maxUploadBytes);
    const dreamedPhoto: DreamedPhoto = async (id) => {
      const parent = store.get(id);
      if (!parent || parent.owner !== request.owner) throw new HttpError(400, `from: no dream '${id}'`);
      if (parent.status !== 'done')
        throw new HttpError(400, `from: dream '${id}' is not done (it is ${parent.status})`);
      if (dreamKind(parent.spec) !== 'picture')
        throw new HttpError(400, `from: dream '${id}' is a zoom (a video); dream from a photo or a picture`);
      return { name: parent.name, bytes: await store.files.readResult(id, 'png') };
    };
    const dream = await parseDreamRequest(upload, { ...context, dreamedPhoto });
    const again = queue.refusal(request.owner); // others may have come first while this one uploaded
    if (again) return refuse(reply, again);
    const submitted = await queue.submit({
      owner: request.owner,
      ...dream.info,
      spec: dream.spec,
      settings: dream.settings,
      photo: dream.photo,
      ...(dream.parent !== undefined && { parent: dream.parent }),
    });
    return reply.status(202).send(submitted);
  });

  app.get<{ Querystring: { before?: string; limit?: string } }>('/api/dreams', async (request) => {
    const { before, limit } = request.query;
    const count =
      limit === undefined
        ? PAGE.default
        : await asClientError(() => checkInteger('limit', integerText(limit) ?? limit, { min: 1, max: PAGE.max }));
    const records = store.records.listByOwner(request.owner, { limit: count, ...(before !== undefined && { before }) });
    return { dreams: records.map(view) };
  });

  app.get<IdParams>('/api/dreams/:id', async (request) => view(owned(request)));

  const streams = new Set<ServerResponse>();
  // Open streams would keep the server from closing; the page's EventSource reconnects by itself.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });
  app.get<IdParams>('/api/dreams/:id/events', (request, reply) => {
    const record = owned(request);
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    streams.add(response);
    const end = () => {
      unsubscribe();
      streams.delete(response);
      response.end();
    };
    const send = (next: DreamView) => {
      response.write(`data: ${JSON.stringify(next)}\n\n`);
      if (isFinished(next.status)) end();
    };
    const unsubscribe = queue.subscribe(record.id, send);
    request.raw.on('close', end);
    send(view(record));
  });

  app.delete<IdParams>('/api/dreams/:id', async (request) => queue.cancel(owned(request)));

  app.get<IdParams & { Querystring: { download?: string } }>('/api/dreams/:id/result', async (request, reply) =>
    sendResult(reply, owned(request), store, request.query.download !== undefined),
  );

  app.get<IdParams>('/api/dreams/:id/original', async (request, reply) => {
    const record = owned(request);
    const { maxSize, maxPixels } = record.spec;
    const photo = await readImage(await store.files.readUpload(record.id), { maxSize, maxPixels, name: record.name });
    // JPEG is a fraction of PNG's size for a photo; PNG keeps transparency.
    const format = photo.alpha ? 'png' : 'jpeg';
    const bytes = await encodeImage(photo.image, format, { ...(photo.alpha && { alpha: photo.alpha }) });
    return reply.header('content-type', `image/${format}`).header('cache-control', 'private, max-age=3600').send(bytes);
  });

  app.get<IdParams>('/api/dreams/:id/preview', async (request, reply) => {
    const record = owned(request);
    const preview = queue.preview(record.id);
    if (!preview) throw new HttpError(404, `no intermediate image of dream '${record.id}' yet`);
    return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(preview);
  });
}

/** The caller's dream named in the URL; 404 for another owner's, as for one that does not exist. */
export function ownedDream(store: DreamStore, request: FastifyRequest<IdParams>): DreamRecord {
  const { id } = request.params;
  const record = store.get(id);
  if (!record || record.owner !== request.owner) throw new HttpError(404, `no dream '${id}'`);
  return record;
}

/** The finished dream's PNG or MP4, inline or as a download, with byte ranges (a video player seeks). */
export async function sendResult(
  reply: FastifyReply,
  record: DreamRecord,
  store: DreamStore,
  download: boolean,
): Promise<FastifyReply> {
  if (record.status !== 'done') throw new HttpError(409, `the dream is not ready (it is ${record.status})`);
  const kind = dreamKind(record.spec);
  const format = resultFormat(record.spec);
  const { files } = store;
  return reply
    .header(
      'content-disposition',
      `${download ? 'attachment' : 'inline'}; filename="${resultFileName(record.name, kind, format)}"`,
    )
    .header('cache-control', 'private, max-age=3600')
    .sendFile(files.resultName(record.id, format), files.resultFolder, { cacheControl: false, lastModified: false });
}

/**
 * A refusal with the time to wait. The connection closes after it, so that the unread upload
 * behind the request is dropped rather than read.
 */
function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  return reply
    .status(refusal.status)
    .header('retry-after', String(RETRY_AFTER_SECONDS))
    .header('connection', 'close')
    .send({ error: refusal.message });
}

/** "cat.jpg" → "cat-dream.png" (a zoom: "cat-zoom.mp4"), safe inside a header. */
function resultFileName(photoName: string, kind: DreamKind, format: ResultFormat): string {
  const stem = photoName.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'photo';
  return `${stem}-${kind === 'zoom' ? 'zoom' : 'dream'}.${format}`;
}
