/**
 * The dreams: POST /api/dreams queues one, GET reports its status (or streams it as
 * Server-Sent Events), DELETE cancels it, and /result serves the finished PNG.
 */
import type { FastifyInstance } from 'fastify';
import type { DreamExecutor } from '../shared/dream-job.js';
import type { ModelCatalog } from './catalog.js';
import { parseDreamRequest, type DreamLimits } from './dream-request.js';
import { HttpError } from './errors.js';
import { isFinished, type DreamQueue, type DreamView } from './queue.js';
import { readUpload } from './upload.js';

interface IdParams {
  Params: { id: string };
}

export function registerDreamRoutes(
  app: FastifyInstance,
  context: {
    queue: DreamQueue;
    catalog: ModelCatalog;
    limits: DreamLimits;
    maxUploadBytes: number;
    execute: DreamExecutor;
  },
): void {
  const { queue } = context;
  const viewOr404 = (id: string): DreamView => {
    const view = queue.get(id);
    if (!view) throw new HttpError(404, `no dream '${id}' (finished dreams are kept for a limited time)`);
    return view;
  };

  app.post('/api/dreams', async (request, reply) => {
    const upload = await readUpload(request, context.maxUploadBytes);
    const { info, spec, photo } = await parseDreamRequest(upload, context);
    const view = queue.submit(info, (control) => context.execute({ id: control.id, spec, photo }, control));
    return reply.status(202).send(view);
  });

  app.get<IdParams>('/api/dreams/:id', async (request) => viewOr404(request.params.id));

  app.get<IdParams>('/api/dreams/:id/events', (request, reply) => {
    const { id } = request.params;
    viewOr404(id);
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = (view: DreamView) => {
      response.write(`data: ${JSON.stringify(view)}\n\n`);
      if (isFinished(view.status)) {
        unsubscribe();
        response.end();
      }
    };
    const unsubscribe = queue.subscribe(id, send);
    request.raw.on('close', unsubscribe);
    send(viewOr404(id));
  });

  app.delete<IdParams>('/api/dreams/:id', async (request) => {
    const view = queue.cancel(request.params.id);
    if (!view) throw new HttpError(404, `no dream '${request.params.id}'`);
    return view;
  });

  app.get<IdParams & { Querystring: { download?: string } }>('/api/dreams/:id/result', async (request, reply) => {
    const view = viewOr404(request.params.id);
    const png = queue.result(view.id);
    if (!png) throw new HttpError(409, `the dream is not ready (it is ${view.status})`);
    const disposition = request.query.download === undefined ? 'inline' : 'attachment';
    return reply
      .header('content-type', 'image/png')
      .header('content-disposition', `${disposition}; filename="${resultFileName(view.name)}"`)
      .header('cache-control', 'private, max-age=3600')
      .send(png);
  });
}

/** "cat.jpg" → "cat-dream.png", safe inside a header. */
function resultFileName(photoName: string): string {
  const stem = photoName.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'photo';
  return `${stem}-dream.png`;
}
