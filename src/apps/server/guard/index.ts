/**
 * The studio's guard: requests for other hosts, cross-site changes and floods are refused before
 * any route sees them, every answer carries the security headers, and uploads are bounded.
 * Registered before the routes (the rate limit attaches to each route as it is added).
 */
import type { FastifyInstance } from 'fastify';
import { checkSameSite } from './cross-site.js';
import { securityHeaders } from './headers.js';
import { checkHost } from './hosts.js';
import type { ResolvedGuardOptions } from './options.js';
import { registerRateLimit } from './rate-limit.js';
import { UploadSlots } from './upload-slots.js';

export { resolveGuardOptions, serverTimeouts, type GuardOptions, type ResolvedGuardOptions } from './options.js';

export async function registerGuard(app: FastifyInstance, options: ResolvedGuardOptions): Promise<void> {
  const allowedHosts: ReadonlySet<string> = new Set(options.allowedHosts);
  app.addHook('onRequest', async (request, reply) => {
    // On the raw response, so answers that bypass Fastify's reply (event streams) carry them too.
    for (const [name, value] of securityHeaders(request.url)) reply.raw.setHeader(name, value);
    checkHost(request, allowedHosts);
    checkSameSite(request);
  });
  await registerRateLimit(app, options);
  const slots = new UploadSlots(options.maxConcurrentUploads);
  // Every upload, to any route. After the rate limit (a route's own hooks run after these), and
  // before the body is read.
  app.addHook('preParsing', async (request, reply) => {
    if (request.method === 'POST' && /^multipart\//i.test(request.headers['content-type'] ?? '')) slots.take(reply);
  });
}
