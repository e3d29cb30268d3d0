/** The studio's protections against hostile or careless clients, as options with their defaults. */
import { checkInteger } from '../../../core/options/checks.js';
import { checkAllowedHost } from './hosts.js';

export interface GuardOptions {
  /**
   * Host names the studio answers to besides localhost, 127.0.0.1, [::1] and the address a
   * request arrived on: a reverse proxy's public name ("dreams.example.org", or with ":port").
   */
  allowedHosts?: string[];
  /** Dreams one client address may submit per minute (default 10); more get 429. */
  dreamsPerMinute?: number;
  /** Other requests one client address may make per minute (default 600); more get 429. */
  requestsPerMinute?: number;
  /** Uploads read and decoded at the same time (default 4); more get 503 at once. */
  maxConcurrentUploads?: number;
  /** Time a client has to send a request's headers (default 60 s, node's); then 408. */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request, upload included (default 5 minutes); then 408. */
  requestTimeoutMs?: number;
}

export const DEFAULT_GUARD_OPTIONS = {
  dreamsPerMinute: 10,
  requestsPerMinute: 600,
  maxConcurrentUploads: 4,
  headersTimeoutMs: 60_000,
  requestTimeoutMs: 5 * 60_000,
} as const;

const GUARD_KEYS = [
  'allowedHosts',
  ...(Object.keys(DEFAULT_GUARD_OPTIONS) as (keyof typeof DEFAULT_GUARD_OPTIONS)[]),
] as const;

export type ResolvedGuardOptions = Required<GuardOptions>;

export function resolveGuardOptions(options: GuardOptions): ResolvedGuardOptions {
  const given = Object.fromEntries(
    GUARD_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  ) as GuardOptions;
  const o = { ...DEFAULT_GUARD_OPTIONS, allowedHosts: [], ...given };
  for (const key of Object.keys(DEFAULT_GUARD_OPTIONS) as (keyof typeof DEFAULT_GUARD_OPTIONS)[]) {
    checkInteger(key, o[key], { min: 1 });
  }
  checkInteger('requestTimeoutMs', o.requestTimeoutMs, { min: o.headersTimeoutMs });
  return { ...o, allowedHosts: o.allowedHosts.map(checkAllowedHost) };
}

/**
 * Fastify's server options for the timeouts: node's HTTP server answers 408 and closes the
 * connection when headers or the whole request take too long, checking every second at most.
 * There is no idle-socket timeout (Fastify's connectionTimeout): it would also end the event
 * streams of dreams that wait in line without news.
 */
export function serverTimeouts(o: Pick<ResolvedGuardOptions, 'headersTimeoutMs' | 'requestTimeoutMs'>) {
  return {
    requestTimeout: o.requestTimeoutMs,
    http: {
      headersTimeout: o.headersTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, o.headersTimeoutMs),
    },
  };
}
