/**
 * A fake backend for dreams in worker threads, configured by the module URL's query:
 * `?kind=grid&delayMs=20&minInputSize=8` (see fake-backend.ts). `kind=fail` fails to start.
 * `log=PATH` appends a line to PATH when the module loads ('load THREAD') and when it creates a
 * backend ('create THREAD'), so tests can see which worker thread did what. Dreaming the layer
 * 'exit-worker' ends the worker thread, as a native crash would.
 */
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { BackendFactory } from '../../src/core/dream/backend.js';
import type { DreamLayer } from '../../src/core/dream/options.js';
import { fakeBackend, type FakeKind } from './fake-backend.js';

const query = new URL(import.meta.url).searchParams;

function log(event: string): void {
  const path = query.get('log');
  if (path) appendFileSync(path, `${event} ${threadId}\n`);
}

log('load');

export const createBackend: BackendFactory = async () => {
  log('create');
  const kind = query.get('kind') ?? 'grid';
  if (kind === 'fail') throw new Error('fake backend refused: no such model');
  const backend = fakeBackend(kind as FakeKind, {
    delayMs: Number(query.get('delayMs') ?? 0),
    minInputSize: Number(query.get('minInputSize') ?? 8),
  });
  const resolveLayers = backend.resolveLayers;
  backend.resolveLayers = (layers: DreamLayer[], channels?: number[]) => {
    if (layers.some((l) => l.name === 'exit-worker')) process.exit(70);
    return resolveLayers(layers, channels);
  };
  return backend;
};
