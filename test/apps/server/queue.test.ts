import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DreamExecutor, DreamJobControl, DreamJobSpec } from '../../../src/apps/shared/dream-job.js';
import { HttpError } from '../../../src/apps/server/errors.js';
import { DreamQueue, type DreamView, type QueueOptions } from '../../../src/apps/server/queue.js';
import { DreamStore } from '../../../src/apps/server/store/index.js';
import { fakeBackendModule, photoPng, postDream, TEST_OWNER, testServer, waitForDream } from './helpers.js';

const spec: DreamJobSpec = {
  name: 'p.png',
  maxSize: 64,
  maxPixels: 1e6,
  options: {} as DreamJobSpec['options'],
};

/** A run the test ends by hand; it rejects when aborted, like dream(). */
interface ManualRun {
  control: DreamJobControl;
  photo: Uint8Array;
  finish: (png: Buffer) => void;
  fail: (err: Error) => void;
}

/** A queue on a fresh data folder, whose executor lets the test end each run. */
async function manualQueue(options: Partial<QueueOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'queue-test-'));
  const store = await DreamStore.open(dir);
  const runs = new Map<string, ManualRun>();
  const execute: DreamExecutor = (job, control) =>
    new Promise((resolve, reject) => {
      runs.set(job.id, { control, photo: job.photo, finish: resolve, fail: reject });
      control.signal.addEventListener('abort', () => reject(control.signal.reason));
    });
  const queue = new DreamQueue(store, execute, { concurrency: 1, maxQueued: 2, maxQueuedPerOwner: 10, ...options });
  queue.start();
  return {
    queue,
    store,
    runs,
    submit: (owner = 'me', photo = Buffer.from('photo bytes')) =>
      queue.submit({ owner, name: 'p.png', width: 4, height: 4, spec, settings: { steps: '2' }, photo }),
    view: (id: string): DreamView => queue.view(store.get(id)!, { owner: true }),
    close: async () => {
      await queue.close();
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `condition` holds (files are synced to disk, so a run takes a few milliseconds). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 500) throw new Error(`timed out waiting for ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('one dream runs at a time; the others wait in line with their place; the result is a file', async () => {
  const q = await manualQueue();
  const ja = await q.submit('me', Buffer.from('photo a'));
  const jb = await q.submit();
  const jc = await q.submit();
  assert.equal(q.view(ja.id).status, 'running');
  assert.deepEqual([q.view(jb.id).position, q.view(jc.id).position], [1, 2]);
  assert.equal(q.runs.has(jb.id), false);
  await until(() => q.runs.has(ja.id));
  assert.deepEqual(Buffer.from(q.runs.get(ja.id)!.photo), Buffer.from('photo a'), 'the photo comes from its file');

  q.runs.get(ja.id)!.control.onProgress({ octave: 1, octaves: 2, step: 1, steps: 2, fraction: 0.25 });
  assert.equal(q.view(ja.id).progress!.fraction, 0.25);
  q.runs.get(ja.id)!.finish(Buffer.from('png-a'));
  await until(() => q.runs.has(jb.id));
  const done = q.view(ja.id);
  assert.equal(done.status, 'done');
  assert.equal(done.progress, undefined, 'progress is for running dreams');
  assert.deepEqual(await readFile(q.store.files.resultPath(ja.id, 'png')), Buffer.from('png-a'));
  assert.equal(q.store.get(ja.id)!.resultBytes, 5);
  assert.equal(q.view(jb.id).status, 'running');
  assert.equal(q.view(jc.id).position, 1);
  await q.close();
});

test('a full line is refused with 503, one owner beyond their limit with 429', async () => {
  const q = await manualQueue({ maxQueuedPerOwner: 2 });
  await q.submit('ann'); // running
  await q.submit('ann');
  assert.deepEqual(q.queue.refusal('ann'), {
    status: 429,
    message: 'you have 2 dreams waiting or running (limit 2); wait for one to finish',
  });
  await assert.rejects(q.submit('ann'), (err: unknown) => err instanceof HttpError && err.statusCode === 429);
  await q.submit('bob');
  assert.deepEqual(q.queue.refusal('cid'), {
    status: 503,
    message: 'the studio is busy (2 dreams waiting); try again in a few minutes',
  });
  await assert.rejects(
    q.submit('cid'),
    (err: unknown) =>
      err instanceof HttpError && err.statusCode === 503 && /busy \(2 dreams waiting\)/.test(err.message),
  );
  await q.close();
});

test('concurrency lets several dreams run at once, each in a lane of its own', async () => {
  const q = await manualQueue({ concurrency: 2 });
  const ids = [(await q.submit()).id, (await q.submit()).id, (await q.submit()).id];
  assert.deepEqual(
    ids.map((id) => q.view(id).status),
    ['running', 'running', 'queued'],
  );
  await until(() => q.runs.size === 2);
  assert.deepEqual(
    ids.slice(0, 2).map((id) => q.runs.get(id)!.control.lane),
    [0, 1],
  );
  q.runs.get(ids[0]!)!.finish(Buffer.from('png'));
  await until(() => q.runs.has(ids[2]!));
  assert.equal(q.runs.get(ids[2]!)!.control.lane, 0, 'the third dream takes the lane the first one freed');
  await q.close();
});

test('cancelling: a waiting dream leaves the line, a running one is aborted; deleting a finished one removes it', async () => {
  const q = await manualQueue();
  const [ja, jb, jc] = [await q.submit(), await q.submit(), await q.submit()];
  const seen: DreamView[] = [];
  q.queue.subscribe(jc.id, (view) => seen.push(view));
  await until(() => q.runs.has(ja.id));

  assert.equal((await q.queue.cancel(q.store.get(jb.id)!)).status, 'cancelled');
  assert.equal(q.runs.has(jb.id), false);
  assert.equal(q.view(jc.id).position, 1);
  assert.equal(seen.at(-1)!.position, 1, 'dreams behind are told their new place');

  const run = q.runs.get(ja.id)!;
  await q.queue.cancel(q.store.get(ja.id)!);
  assert.equal(run.control.signal.aborted, true);
  await until(() => q.runs.has(jc.id));
  assert.equal(q.view(ja.id).status, 'cancelled');
  assert.equal(existsSync(q.store.files.resultPath(ja.id, 'png')), false);
  assert.equal(q.view(jc.id).status, 'running');
  assert.equal(seen.at(-1)!.status, 'running');

  q.runs.get(jc.id)!.fail(new Error('out of memory'));
  await until(() => q.view(jc.id).status !== 'running');
  assert.deepEqual(
    { status: q.view(jc.id).status, error: q.view(jc.id).error },
    { status: 'failed', error: 'out of memory' },
  );
  assert.equal(seen.at(-1)!.status, 'failed');
  // Deleting a finished dream forgets it and its photo.
  assert.equal((await q.queue.cancel(q.store.get(jc.id)!)).status, 'failed');
  assert.equal(q.store.get(jc.id), undefined);
  assert.equal(existsSync(q.store.files.uploadPath(jc.id)), false);
  await q.close();
});

test('the latest intermediate image is kept while the dream runs', async () => {
  const q = await manualQueue();
  const { id } = await q.submit();
  await until(() => q.runs.has(id));
  assert.equal(q.queue.preview(id), undefined);
  q.runs.get(id)!.control.onPreview!(Buffer.from('octave 1'), 1);
  q.runs.get(id)!.control.onPreview!(Buffer.from('octave 2'), 2);
  assert.deepEqual(q.queue.preview(id), Buffer.from('octave 2'));
  q.runs.get(id)!.finish(Buffer.from('png'));
  await until(() => q.view(id).status === 'done');
  assert.equal(q.queue.preview(id), undefined);
  await q.close();
});

test('closing puts the running dream back in line; the next queue on the same store runs it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'queue-test-'));
  const executed: string[] = [];
  const hang: DreamExecutor = (job, control) =>
    new Promise((_resolve, reject) => {
      executed.push(job.id);
      control.signal.addEventListener('abort', () => reject(control.signal.reason));
    });
  const options = { concurrency: 1, maxQueued: 5, maxQueuedPerOwner: 5 };
  const store = await DreamStore.open(dir);
  const first = new DreamQueue(store, hang, options);
  first.start();
  const info = { owner: 'me', name: 'p.png', width: 4, height: 4, spec, settings: {} };
  const a = await first.submit({ ...info, photo: Buffer.from('a') });
  const b = await first.submit({ ...info, photo: Buffer.from('b') });
  await until(() => executed.length === 1);
  await first.close();
  assert.deepEqual(
    [store.get(a.id)!.status, store.get(b.id)!.status, store.get(a.id)!.attempts],
    ['queued', 'queued', 0],
    'a clean shutdown is not counted as an interruption',
  );
  store.close();

  const reopened = await DreamStore.open(dir);
  const second = new DreamQueue(reopened, async (job) => Buffer.from(`dreamed ${job.id}`), options);
  second.start();
  await until(() => reopened.get(b.id)!.status === 'done');
  for (const id of [a.id, b.id]) {
    assert.equal(reopened.get(id)!.status, 'done');
    assert.equal(await readFile(reopened.files.resultPath(id, 'png'), 'utf8'), `dreamed ${id}`);
  }
  await second.close();
  reopened.close();
  await rm(dir, { recursive: true, force: true });
});

test('DELETE /api/dreams/:id cancels a running dream and the next one runs', async () => {
  // 30 ms per tile step: a dream of 4 octaves x 10 steps runs over a second.
  const app = await testServer({ backendModule: fakeBackendModule('kind=grid&delayMs=30') });
  try {
    const png = await photoPng();
    const first = (await postDream(app, { steps: '10' }, [{ name: 'a.png', bytes: png }])).json();
    const second = (await postDream(app, { steps: '1' }, [{ name: 'b.png', bytes: png }])).json();
    assert.deepEqual([second.status, second.position], ['queued', 1]);
    for (;;) {
      const view = (await app.inject({ url: `/api/dreams/${first.id}` })).json();
      if (view.progress) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cancelled = await app.inject({ method: 'DELETE', url: `/api/dreams/${first.id}` });
    assert.equal(cancelled.statusCode, 200);
    assert.equal(cancelled.json().status, 'cancelled');
    assert.equal((await app.inject({ url: `/api/dreams/${first.id}` })).json().status, 'cancelled');
    assert.equal((await waitForDream(app, second.id)).status, 'done');
    assert.equal((await app.inject({ url: `/api/dreams/${first.id}/result` })).statusCode, 409);
  } finally {
    await app.close();
  }
});

test('closing the server puts a running dream back in line and ends its event stream', async () => {
  const app = await testServer({ backendModule: fakeBackendModule('kind=grid&delayMs=30') });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const posted = await postDream(app, { steps: '10' }, [{ name: 'a.png', bytes: await photoPng() }]);
  const events = await fetch(`${url}/api/dreams/${posted.json().id}/events`, {
    headers: { cookie: `studio_owner=${TEST_OWNER.studio_owner}` },
  });
  const reader = events.body!.getReader();
  await reader.read(); // the first event: the stream is open
  await app.close();
  let text = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += new TextDecoder().decode(chunk.value);
  }
  assert.match(text.trim().split('\n\n').at(-1)!, /"status":"queued"/);
});
