/**
 * Intermediate images and zooms through Redis: a worker process dreams, and `deepdream serve
 * --redis` shows each intermediate image at /preview while the dream runs, then its result.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { photoPng } from '../server/helpers.js';
import { startRedis, withoutRedis } from '../../support/redis.js';
import { inRedis, startStudio, startWorker, type RunningStudio } from './helpers.js';

const REDIS = { skip: withoutRedis(), timeout: 180_000 };

/** A redis-server, a worker on the fake network slowed by `query`, and serve --redis; both stop with exit code 0. */
async function withStudio(
  t: TestContext,
  query: string,
  body: (studio: RunningStudio, redisUrl: string) => Promise<void>,
): Promise<void> {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const data = mkdtempSync(join(tmpdir(), 'serve-redis-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const worker = await startWorker(redis.url, query);
  try {
    const studio = await startStudio(redis.url, data);
    try {
      await body(studio, redis.url);
    } finally {
      assert.equal(await studio.stop(), 0);
    }
  } finally {
    assert.equal(await worker.stop(), 0);
  }
}

/** Polls /preview while the dream runs; returns the first image it answers, undefined if none came. */
async function previewWhileRunning(studio: RunningStudio, id: string): Promise<Buffer | undefined> {
  for (;;) {
    const preview = await studio.request(`/api/dreams/${id}/preview`);
    if (preview.status === 200) {
      assert.equal(preview.headers.get('content-type'), 'image/png');
      return Buffer.from(await preview.arrayBuffer());
    }
    assert.equal(preview.status, 404, await preview.text());
    if (!['queued', 'running'].includes((await studio.view(id)).status)) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for the dream to end done, with nothing left in Redis. */
async function finishedClean(studio: RunningStudio, redisUrl: string, id: string): Promise<void> {
  const view = await studio.waitUntilFinished(id);
  assert.equal(view.status, 'done', view.error);
  assert.deepEqual(await inRedis(redisUrl, id), { keys: [] });
}

test('a picture dreamed by a worker shows its preview after each scale at serve --redis', REDIS, (t) =>
  // 512 px dreams in 2 scales; 30 ms a tile step keeps the second scale running for a while.
  withStudio(t, 'kind=grid&delayMs=30', async (studio, redisUrl) => {
    const id = await studio.submit({ steps: '10', size: '512' }, [
      { name: 'wide.png', bytes: await photoPng(512, 340) },
    ]);
    const preview = await previewWhileRunning(studio, id);
    assert.ok(preview, 'a preview while the dream ran');
    const meta = await sharp(preview).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 512, 340]);
    await finishedClean(studio, redisUrl, id);
  }),
);

test('a zoom dreamed by a worker shows its frames at serve --redis and ends with its MP4', REDIS, (t) =>
  withStudio(t, 'kind=grid&delayMs=20', async (studio, redisUrl) => {
    const id = await studio.submit({ kind: 'zoom', frames: '6', size: '64', steps: '2' }, [
      { name: 'wide.png', bytes: await photoPng(160, 80) },
    ]);
    const frame = await previewWhileRunning(studio, id);
    assert.ok(frame, 'a frame while the zoom ran');
    const meta = await sharp(frame).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 32]);
    await finishedClean(studio, redisUrl, id);

    const view = await studio.view(id);
    assert.deepEqual([view.kind, view.frames], ['zoom', 6]);
    const result = await studio.request(`/api/dreams/${id}/result`);
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('content-type'), 'video/mp4');
    const mp4 = Buffer.from(await result.arrayBuffer());
    assert.equal(mp4.subarray(4, 8).toString('latin1'), 'ftyp');
  }),
);
