/**
 * Intermediate images through Redis: a worker process stores each one, and `deepdream serve
 * --redis` shows it at /preview while the dream runs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { photoPng } from '../server/helpers.js';
import { startRedis, withoutRedis } from '../../support/redis.js';
import { inRedis, startStudio, startWorker, type RunningStudio } from './helpers.js';

const REDIS = { skip: withoutRedis(), timeout: 180_000 };

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

test('a picture dreamed by a worker shows its preview after each scale at serve --redis', REDIS, async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const data = mkdtempSync(join(tmpdir(), 'serve-redis-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  // 512 px dreams in 2 scales; 30 ms a tile step keeps the second scale running for a while.
  const worker = await startWorker(redis.url, 'kind=grid&delayMs=30');
  const studio = await startStudio(redis.url, data);
  try {
    const id = await studio.submit({ steps: '10', size: '512' }, [
      { name: 'wide.png', bytes: await photoPng(512, 340) },
    ]);
    const preview = await previewWhileRunning(studio, id);
    assert.ok(preview, 'a preview while the dream ran');
    const meta = await sharp(preview).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 512, 340]);

    const view = await studio.waitUntilFinished(id);
    assert.equal(view.status, 'done', view.error);
    assert.equal((await studio.request(`/api/dreams/${id}/preview`)).status, 404, 'no preview once done');
    assert.deepEqual(await inRedis(redis.url, id), { keys: [] });
  } finally {
    assert.equal(await studio.stop(), 0);
    assert.equal(await worker.stop(), 0);
  }
});
