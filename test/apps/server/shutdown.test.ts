/**
 * A clean shutdown: SIGINT or SIGTERM stop taking requests (503), put the running dream back in
 * line, close the database and exit 0 within seconds; the next start runs what was left.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { DreamExecutor } from '../../../src/apps/shared/dream-job.js';
import { photoPng, postDream, testServer } from './helpers.js';
import { startStudioProcess, waitForView, type View } from './studio-process.js';

test('SIGTERM while a dream runs: exit 0 at once, and the next start dreams it', async () => {
  const data = await mkdtemp(join(tmpdir(), 'shutdown-test-'));
  const photo = await photoPng();
  const first = await startStudioProcess(data, 'kind=grid&delayMs=100');
  const running = (await (await first.postDream({ steps: '20' }, photo)).json()) as View;
  const queued = (await (await first.postDream({ steps: '1' }, photo)).json()) as View;
  await waitForView<View>(first, running.id, (view) => view.progress !== undefined);
  const stopping = Date.now();
  first.child.kill('SIGTERM');
  assert.deepEqual(await first.exited, [0, null]);
  const stoppedMs = Date.now() - stopping;
  assert.ok(stoppedMs < 10_000, `stopped in ${stoppedMs} ms`);
  assert.deepEqual(first.stderr().trim().split('\n').length, 1, `only the banner: ${first.stderr()}`);

  const db = new Database(join(data, 'studio.db'), { readonly: true });
  const rows = db.prepare('SELECT id, status, attempts FROM dreams ORDER BY seq').all();
  db.close();
  assert.deepEqual(rows, [
    { id: running.id, status: 'queued', attempts: 0 },
    { id: queued.id, status: 'queued', attempts: 0 },
  ]);

  const second = await startStudioProcess(data, 'kind=grid');
  try {
    for (const { id } of [running, queued]) await waitForView<View>(second, id, (view) => view.status === 'done');
  } finally {
    second.child.kill('SIGINT');
  }
  assert.deepEqual(await second.exited, [0, null]);
  await rm(data, { recursive: true, force: true });
});

test('requests during a shutdown get 503; the shutdown waits for the running dream to stop', async () => {
  let release!: () => void;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  // An executor that takes its time to stop, as a dream finishing its tile does.
  const executor: DreamExecutor = async (_job, control) => {
    started();
    await stopped;
    throw control.signal.reason;
  };
  const app = await testServer({ executor });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const posted = await postDream(app, {}, [{ name: 'p.png', bytes: await photoPng() }]);
  assert.equal(posted.statusCode, 202);
  await running;
  let closed = false;
  const closing = app.close().then(() => (closed = true));
  await new Promise((resolve) => setImmediate(resolve));

  const refused = await fetch(`${url}/api/presets`);
  assert.equal(refused.status, 503);
  assert.deepEqual(await refused.json(), { error: 'the studio is shutting down; try again in a moment' });
  assert.equal(refused.headers.get('retry-after'), '5');
  assert.equal(closed, false, 'still waiting for the dream');
  release();
  await closing;
});
