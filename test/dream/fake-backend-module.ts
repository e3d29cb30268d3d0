/**
 * A fake backend for dreams in worker threads, configured by the module URL's query:
 * `?kind=grid&delayMs=20&minInputSize=8` (see fake-backend.ts). `kind=fail` fails to start.
 */
import type { BackendFactory } from '../../src/dream/backend.js';
import { fakeBackend, type FakeKind } from './fake-backend.js';

const query = new URL(import.meta.url).searchParams;

export const createBackend: BackendFactory = async () => {
  const kind = query.get('kind') ?? 'grid';
  if (kind === 'fail') throw new Error('fake backend refused: no such model');
  return fakeBackend(kind as FakeKind, {
    delayMs: Number(query.get('delayMs') ?? 0),
    minInputSize: Number(query.get('minInputSize') ?? 8),
  });
};
