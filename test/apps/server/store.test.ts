/** The data folder: what opening it puts right after a kill, and what retention deletes. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DreamJobSpec } from '../../../src/apps/shared/dream-job.js';
import { DreamStore, MAX_ATTEMPTS } from '../../../src/apps/server/store/index.js';
import { expiredDreams } from '../../../src/apps/server/store/retention.js';

const DAY = 24 * 60 * 60 * 1000;
const spec = { name: 'p.png', maxSize: 64, maxPixels: 1e6, options: {} } as DreamJobSpec;

function newDream(id: string, createdAt = 0) {
  return { id, owner: 'me', spec, settings: {}, name: 'p.png', photoBytes: 5, width: 4, height: 4, createdAt };
}

describe('opening a data folder after a kill', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'store-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('running dreams go back in line, counted; one interrupted too often fails', async () => {
    const store = await DreamStore.open(dir);
    for (const id of ['a', 'b']) await store.create(newDream(id), Buffer.from('photo'));
    store.records.markRunning('a', 1);
    store.close();

    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const reopened = await DreamStore.open(dir);
      assert.deepEqual([reopened.get('a')!.status, reopened.get('a')!.attempts], ['queued', attempt]);
      assert.equal(reopened.get('a')!.startedAt, undefined);
      reopened.records.markRunning('a', 2);
      reopened.close();
    }
    const last = await DreamStore.open(dir);
    assert.deepEqual([last.get('a')!.status, last.get('a')!.attempts], ['failed', MAX_ATTEMPTS]);
    assert.equal(last.get('a')!.error, 'the studio stopped 3 times while dreaming this; it is not tried again');
    assert.deepEqual([last.get('b')!.status, last.get('b')!.attempts], ['queued', 0]);
    last.close();
  });

  test('a running dream whose result was already in place is done', async () => {
    const store = await DreamStore.open(dir);
    await store.create(newDream('a'), Buffer.from('photo'));
    store.records.markRunning('a', 1);
    await store.files.writeResult('a', 'png', Buffer.from('result png'));
    store.close();
    const reopened = await DreamStore.open(dir);
    assert.deepEqual([reopened.get('a')!.status, reopened.get('a')!.resultBytes], ['done', 10]);
    reopened.close();
  });

  test('temporary files and files no row names are removed; the others stay', async () => {
    const store = await DreamStore.open(dir);
    await store.create(newDream('kept'), Buffer.from('photo'));
    store.close();
    await writeFile(join(dir, 'uploads', 'orphan'), 'photo of a dream whose row was never written');
    await writeFile(join(dir, 'uploads', 'kept.0123456789ab.tmp'), 'half a photo');
    await writeFile(join(dir, 'results', 'kept.png.0123456789ab.tmp'), 'half a result');
    await writeFile(join(dir, 'results', 'orphan.png'), 'result of a deleted dream');
    const reopened = await DreamStore.open(dir);
    assert.deepEqual(await readdir(join(dir, 'uploads')), ['kept']);
    assert.deepEqual(await readdir(join(dir, 'results')), []);
    reopened.close();
  });

  test("a zoom's MP4 counts as its result; work folders stay only for dreams that will run", async () => {
    const zoom = {
      ...spec,
      zoom: { frames: 2, fps: 25, move: { zoom: 1, rotate: 0, translateX: 0, translateY: 0 }, colorLock: 0 },
    };
    const store = await DreamStore.open(dir);
    for (const id of ['running', 'finished', 'waiting'])
      await store.create({ ...newDream(id), spec: zoom }, Buffer.from('photo'));
    store.records.markRunning('running', 1);
    store.records.markRunning('finished', 1);
    await store.files.writeResult('finished', 'mp4', Buffer.from('an mp4'));
    for (const id of ['running', 'finished', 'waiting', 'deleted']) {
      await mkdir(join(store.files.workPath(id), 'zoom.mp4.frames'), { recursive: true });
      await writeFile(join(store.files.workPath(id), 'zoom.mp4.frames', '000000.png'), 'frame 0');
    }
    store.close();
    const reopened = await DreamStore.open(dir);
    assert.deepEqual([reopened.get('finished')!.status, reopened.get('finished')!.resultBytes], ['done', 6]);
    assert.equal(reopened.get('running')!.status, 'queued');
    // The interrupted zoom and the waiting one continue from their frames; the others' are gone.
    assert.deepEqual((await readdir(join(dir, 'work'))).sort(), ['running', 'waiting']);
    assert.deepEqual(await readdir(join(dir, 'results')), ['finished.mp4']);
    await reopened.delete('finished');
    assert.deepEqual(await readdir(join(dir, 'results')), []);
    reopened.close();
  });
});

describe('retention', () => {
  const finished = [
    { id: 'old', finishedAt: 0, bytes: 100 },
    { id: 'mid', finishedAt: 5 * DAY, bytes: 100 },
    { id: 'new', finishedAt: 9 * DAY, bytes: 100 },
  ];

  test('nothing is deleted without a setting', () => {
    assert.deepEqual(expiredDreams(finished, 1e12, {}, 100 * DAY), []);
  });

  test('keepDays deletes the finished dreams older than that', () => {
    assert.deepEqual(expiredDreams(finished, 300, { keepDays: 3 }, 10 * DAY), ['old', 'mid']);
    assert.deepEqual(expiredDreams(finished, 300, { keepDays: 30 }, 10 * DAY), []);
  });

  test('keepBytes deletes the oldest finished dreams until the rest fit', () => {
    // 350 bytes in all, 50 of them in a queued dream that is never deleted.
    assert.deepEqual(expiredDreams(finished, 350, { keepBytes: 200 }, 10 * DAY), ['old', 'mid']);
    assert.deepEqual(expiredDreams(finished, 350, { keepBytes: 350 }, 10 * DAY), []);
    assert.deepEqual(expiredDreams(finished, 350, { keepBytes: 10 }, 10 * DAY), ['old', 'mid', 'new']);
  });

  test('the store deletes what retention lets go, rows and files, when asked and on opening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'store-test-'));
    let now = 0;
    const store = await DreamStore.open(dir, { keepDays: 1 }, () => now);
    for (const id of ['a', 'b']) {
      await store.create(newDream(id), Buffer.from('photo'));
      await store.complete(id, Buffer.from('png'));
      now += DAY;
    }
    await store.applyRetention();
    assert.equal(store.get('a'), undefined);
    assert.equal(existsSync(store.files.uploadPath('a')), false);
    assert.equal(existsSync(store.files.resultPath('a', 'png')), false);
    assert.equal(store.get('b')!.status, 'done');
    store.close();
    now += 2 * DAY;
    const reopened = await DreamStore.open(dir, { keepDays: 1 }, () => now);
    assert.equal(reopened.get('b'), undefined);
    reopened.close();
    await rm(dir, { recursive: true, force: true });
  });
});
