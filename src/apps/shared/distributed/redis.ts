/** Connections to the Redis that carries the studio's dreams, checked at start with a one-line error. */
import { Redis } from 'ioredis';
import { invalid } from '../../../core/options/checks.js';

/** Fails (option `redis`) unless `url` is a redis:// or rediss:// URL. */
export function checkRedisUrl(url: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw invalid('redis', 'a redis:// or rediss:// URL', url);
}

/** The URL as messages show it: without its password. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href.replace(/\/$/, '');
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
};

/** Why a connection failed, in a few words. */
export function connectionProblem(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  return (code && REASONS[code]) ?? message ?? String(err);
}

/**
 * Connects once, without retrying, so a wrong URL or a Redis that is down fails at start with
 * "cannot reach Redis at URL: REASON" rather than retrying silently forever.
 */
export async function checkRedisReachable(url: string): Promise<void> {
  checkRedisUrl(url);
  const probe = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
  });
  let lastError: unknown;
  probe.on('error', (err) => (lastError = err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    // ioredis rejects connect() with "Connection is closed."; the cause came as an 'error' event.
    throw new Error(`cannot reach Redis at ${shownUrl(url)}: ${connectionProblem(lastError ?? err)}`);
  } finally {
    probe.disconnect();
  }
}

/**
 * A connection that reconnects by itself for as long as it lives (BullMQ needs
 * `maxRetriesPerRequest: null`). Each outage is reported once through `log`.
 */
export function openRedis(url: string, log: (line: string) => void = () => undefined): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  let down = false;
  client.on('error', (err) => {
    if (down) return;
    down = true;
    log(`lost Redis at ${shownUrl(url)}: ${connectionProblem(err)}; reconnecting`);
  });
  client.on('ready', () => {
    if (down) log(`Redis at ${shownUrl(url)} is back`);
    down = false;
  });
  return client;
}
