/**
 * The Host header check against DNS rebinding: a page on another site whose name was made to point
 * at this machine reaches the studio with its own name in Host, which the studio refuses (421).
 */
import type { FastifyRequest } from 'fastify';
import { checkText, invalid } from '../../../core/options/checks.js';
import { HttpError } from '../errors.js';

/** Names of this machine that no other site can take over. */
const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface ParsedHost {
  hostname: string;
  /** Empty for the scheme's default port. */
  port: string;
}

/** "Name" or "name:port", lower case: an entry of `allowedHosts`. */
export function checkAllowedHost(entry: unknown): string {
  const expected = 'a host name, optionally with :port (like dreams.example.org:8443)';
  const host = checkText('allowedHosts', entry, expected).trim().toLowerCase();
  if (!parseHost(host)) throw invalid('allowedHosts', expected, entry);
  return host;
}

/** A Host header's name and port, or undefined when it is not one. */
export function parseHost(host: string): ParsedHost | undefined {
  if (/[\s/?#@\\]/.test(host)) return undefined;
  try {
    const { hostname, port } = new URL(`http://${host}`);
    return { hostname, port };
  } catch {
    return undefined;
  }
}

/** The address a connection arrived on, as it would appear in a Host header. */
function hostFormOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const v4 = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return v4.includes(':') ? `[${v4}]` : v4;
}

/**
 * Whether the request's Host names this server: a loopback name or the address the connection
 * arrived on (with the port it arrived on), or an allowed name (a reverse proxy's).
 */
export function isAllowedHost(request: FastifyRequest, allowedHosts: ReadonlySet<string>): boolean {
  const header = request.headers.host?.toLowerCase();
  const parsed = header === undefined ? undefined : parseHost(header);
  if (!parsed) return false;
  const { hostname, port } = parsed;
  if (allowedHosts.has(hostname) || allowedHosts.has(`${hostname}:${port || '80'}`)) return true;
  const { localAddress, localPort } = request.raw.socket;
  if (!LOOPBACK_NAMES.has(hostname) && hostname !== hostFormOf(localAddress)) return false;
  return typeof localPort !== 'number' || Number(port || '80') === localPort;
}

export function checkHost(request: FastifyRequest, allowedHosts: ReadonlySet<string>): void {
  if (isAllowedHost(request, allowedHosts)) return;
  const host = request.headers.host ?? '';
  throw new HttpError(
    421,
    `this studio does not answer to the host '${host.slice(0, 100)}': use localhost or its address, ` +
      'or start it with --allowed-host for another name',
  );
}
