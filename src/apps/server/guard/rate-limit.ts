/**
 * Requests per client address per minute (@fastify/rate-limit): a small budget for dream
 * submissions, which cost minutes of work each, and a generous one for everything else.
 */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';

const WINDOW_MS = 60_000;

/** Submitting a dream; other POSTs (on a dream, say) count in the general budget. */
function isSubmission(request: FastifyRequest): boolean {
  return request.method === 'POST' && request.routeOptions.url === '/api/dreams';
}

/** Must be registered before the routes: the plugin adds its check to each route as it is added. */
export async function registerRateLimit(
  app: FastifyInstance,
  budgets: { dreamsPerMinute: number; requestsPerMinute: number },
): Promise<void> {
  await app.register(fastifyRateLimit, {
    timeWindow: WINDOW_MS,
    max: (request) => (isSubmission(request) ? budgets.dreamsPerMinute : budgets.requestsPerMinute),
    keyGenerator: (request) => `${isSubmission(request) ? 'dreams' : 'requests'} ${request.ip}`,
    errorResponseBuilder: (request, context) =>
      new HttpError(
        429,
        `too many ${isSubmission(request) ? 'dreams' : 'requests'}: at most ${context.max} a minute; try again in ${context.after}`,
      ),
  });
}
