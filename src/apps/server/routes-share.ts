/**
 * Share links: the owner of a finished dream makes its result public under an unguessable token
 * (POST /api/dreams/:id/share) and can take it back (DELETE). Anyone with the link sees the
 * dream (GET /api/shared/:token) and its result; /s/:token is the page that shows them.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import { shareUrl, type DreamQueue } from './queue.js';
import { ownedDream, sendResult } from './routes-dreams.js';
import type { DreamRecord, DreamStore } from './store/index.js';

interface TokenParams {
  Params: { token: string };
}

export function registerShareRoutes(app: FastifyInstance, context: { queue: DreamQueue; store: DreamStore }): void {
  const { queue, store } = context;
  const owned = (request: FastifyRequest<{ Params: { id: string } }>): DreamRecord => ownedDream(store, request);
  const shared = (request: FastifyRequest<TokenParams>): DreamRecord => {
    const record = store.records.byShareToken(request.params.token);
    if (!record) throw new HttpError(404, 'no such shared dream (the link may have been withdrawn)');
    return record;
  };

  app.post<{ Params: { id: string } }>('/api/dreams/:id/share', async (request) => {
    const record = owned(request);
    if (record.status !== 'done')
      throw new HttpError(409, `only a finished dream can be shared (it is ${record.status})`);
    // 128 random bits: a link cannot be guessed, only given.
    const token = record.shareToken ?? randomBytes(16).toString('base64url');
    store.records.setShareToken(record.id, token);
    return { shareUrl: shareUrl(token) };
  });

  app.delete<{ Params: { id: string } }>('/api/dreams/:id/share', async (request, reply) => {
    store.records.setShareToken(owned(request).id, undefined);
    return reply.status(204).send();
  });

  app.get<TokenParams>('/api/shared/:token', async (request) => queue.view(shared(request), { owner: false }));

  app.get<TokenParams & { Querystring: { download?: string } }>('/api/shared/:token/result', (request, reply) =>
    sendResult(reply, shared(request), store, request.query.download !== undefined),
  );

  app.get('/s/:token', (_request, reply: FastifyReply) => reply.sendFile('index.html'));
}
