/**
 * The studio's shutdown (`app.close()`, on SIGINT or SIGTERM): requests get 503, running dreams
 * stop and go back in line (before the event streams end, routes-dreams.ts), and the database
 * closes last.
 */
import type { FastifyInstance } from 'fastify';
import type { DreamQueue } from './queue.js';
import type { DreamStore } from './store/index.js';

/** What a client is told to wait during a shutdown (a restart takes seconds). */
const RETRY_AFTER_SECONDS = 5;

/** Needs a Fastify created with `return503OnClosing: false`, so that the 503 is the studio's own. */
export function registerShutdown(
  app: FastifyInstance,
  context: { queue: DreamQueue; store: DreamStore; timers: NodeJS.Timeout[] },
): void {
  let closing = false;
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    await reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .header('connection', 'close')
      .send({ error: 'the studio is shutting down; try again in a moment' });
  });
  app.addHook('preClose', async () => {
    closing = true;
    await context.queue.close();
  });
  app.addHook('onClose', async () => {
    for (const timer of context.timers) clearInterval(timer);
    context.store.close();
  });
}
