/**
 * Cross-site requests that change something (a dream submitted or deleted by another site's page
 * in the user's browser) are refused. Browsers say where a request comes from (Sec-Fetch-Site,
 * Origin); clients that say neither (curl, scripts) are not browsers and are let through.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { parseHost } from './hosts.js';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Sec-Fetch-Site values of a request from the studio's own page or typed by the user. */
const OWN_SITE: ReadonlySet<string> = new Set(['same-origin', 'none']);

export function isCrossSite(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string' && !OWN_SITE.has(fetchSite.toLowerCase())) return true;
  const origin = request.headers.origin;
  return origin !== undefined && !isSameHost(origin, request.headers.host);
}

/** Whether the Origin names the host the request was sent to (a Host without port has the origin's default). */
function isSameHost(origin: string, hostHeader: string | undefined): boolean {
  const host = hostHeader === undefined ? undefined : parseHost(hostHeader.toLowerCase());
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // "null" (a sandboxed frame, a file) or garbage: not the studio's page.
    return false;
  }
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  return (
    host !== undefined && url.hostname === host.hostname && (url.port || defaultPort) === (host.port || defaultPort)
  );
}

export function checkSameSite(request: FastifyRequest): void {
  if (isCrossSite(request)) {
    throw new HttpError(403, `cross-site request refused: ${request.method} comes only from the studio's own page`);
  }
}
