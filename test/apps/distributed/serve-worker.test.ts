/**
 * `deepdream serve --redis` and `deepdream worker` as real processes on a real redis-server: the
 * studio queues, a separate worker dreams, the PNG comes back, and Redis is left clean.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { photoPng } from '../server/helpers.js';
import { startRedis, withoutRedis } from '../../support/redis.js';
import { inRedis, startStudio, startWorker } from './helpers.js';

test('a dream posted to serve --redis is dreamed by a separate worker process', { skip: withoutRedis() }, async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const url = redis.url;
  const data = mkdtempSync(join(tmpdir(), 'serve-redis-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const worker = await startWorker(url);
  const studio = await startStudio(url, data);
  try {
    const id = await studio.submit({ steps: '2', seed: '5' }, [{ name: 'cat.png', bytes: await photoPng() }]);
    const view = await studio.waitUntilFinished(id);
    assert.equal(view.status, 'done', view.error);

    const result = await studio.request(`/api/dreams/${id}/result`);
    assert.equal(result.status, 200);
    const meta = await sharp(Buffer.from(await result.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 48, 32]);
    // The worker dreamed it, and the studio took the result and left nothing in Redis.
    await worker.waitFor(new RegExp(`dream ${id}: done in \\d+\\.\\d s`));
    assert.deepEqual(await inRedis(url, id), { keys: [] });
  } finally {
    assert.equal(await studio.stop(), 0);
    assert.equal(await worker.stop(), 0);
  }
  assert.match(worker.stderr(), /^Dream worker taking dreams from redis:\/\/127\.0\.0\.1:\d+, 1 at a time/);
});
