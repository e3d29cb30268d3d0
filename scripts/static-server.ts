/**
 * A plain static file server on loopback, like any static host: files by path with a content type
 * from their extension, nothing else (no compression, no server-side code, and no COOP/COEP unless
 * given as `headers`). What the tests serve the static site with, and the bench its pages.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.png': 'image/png',
};

export interface StaticServer {
  url: string;
  /** Every request's method and path, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function serveStatic(root: string, headers: Record<string, string> = {}): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer(async (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
    const file = join(root, normalize(path.endsWith('/') ? `${path}index.html` : path));
    const info = file.startsWith(root) ? await stat(file).catch(() => undefined) : undefined;
    if (!info?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
