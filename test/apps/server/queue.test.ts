import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DreamProgress } from '../../../src/core/dream/options.js';
import { HttpError } from '../../../src/apps/server/errors.js';
import { DreamQueue, type DreamTask, type DreamView } from '../../../src/apps/server/queue.js';
import { fakeBackendModule, photoPng, postDream, testServer, waitForDream } from './helpers.js';

const info = { name: 'p.png', width: 4, height: 4 };
const options = { concurrency: 1, maxQueued: 2, maxResults: 10, resultTtlMs: 60_000 };

/** A task the test finishes by hand; it rejects when aborted, like dream(). */
function manualTask() {
  let finish!: (bytes: Buffer) => void;
  let fail!: (err: Error) => void;
  let report!: (p: DreamProgress) => void;
  let signal: AbortSignal | undefined;
  const task: DreamTask = (control) => {
    signal = control.signal;
    report = control.onProgress;
    return new Promise<Buffer>((resolve, reject) => {
      finish = resolve;
      fail = reject;
      control.signal.addEventListener('abort', () => reject(control.signal.reason));
    });
  };
  return {
    task,
    finish: (bytes: Buffer) => finish(bytes),
    fail: (err: Error) => fail(err),
    progress: (p: DreamProgress) => report(p),
    started: () => signal !== undefined,
    aborted: () => signal?.aborted === true,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('one dream runs at a time; the others wait in line with their place', async () => {
  const queue = new DreamQueue(options);
  const [a, b, c] = [manualTask(), manualTask(), manualTask()];
  const ja = queue.submit(info, a.task);
  const jb = queue.submit(info, b.task);
  const jc = queue.submit(info, c.task);
  assert.equal(queue.get(ja.id)!.status, 'running');
  assert.deepEqual([queue.get(jb.id)!.position, queue.get(jc.id)!.position], [1, 2]);
  assert.equal(b.started(), false);

  a.progress({ octave: 1, octaves: 2, step: 1, steps: 2, fraction: 0.25 });
  assert.equal(queue.get(ja.id)!.progress!.fraction, 0.25);
  a.finish(Buffer.from('png-a'));
  await settle();
  assert.equal(queue.get(ja.id)!.status, 'done');
  assert.deepEqual(queue.result(ja.id), Buffer.from('png-a'));
  assert.equal(queue.get(jb.id)!.status, 'running');
  assert.equal(queue.get(jc.id)!.position, 1);
  queue.close();
});

test('a full line is refused with 503', () => {
  const queue = new DreamQueue(options);
  queue.submit(info, manualTask().task); // running
  queue.submit(info, manualTask().task);
  queue.submit(info, manualTask().task);
  assert.throws(
    () => queue.submit(info, manualTask().task),
    (err: unknown) =>
      err instanceof HttpError && err.statusCode === 503 && /busy \(2 dreams waiting\)/.test(err.message),
  );
  queue.close();
});

test('concurrency lets several dreams run at once, each in a lane of its own', async () => {
  const queue = new DreamQueue({ ...options, concurrency: 2 });
  const lanes: number[] = [];
  const tasks = [1, 2, 3].map(() => manualTask());
  const ids = tasks.map(({ task }) => queue.submit(info, (control) => (lanes.push(control.lane), task(control))).id);
  assert.deepEqual(
    ids.map((id) => queue.get(id)!.status),
    ['running', 'running', 'queued'],
  );
  assert.deepEqual(lanes, [0, 1]);
  tasks[0]!.finish(Buffer.from('png'));
  await settle();
  assert.deepEqual(lanes, [0, 1, 0], 'the third dream takes the lane the first one freed');
  queue.close();
});

test('cancelling: a waiting job leaves the line, a running one is aborted and frees its slot', async () => {
  const queue = new DreamQueue(options);
  const [a, b, c] = [manualTask(), manualTask(), manualTask()];
  const ja = queue.submit(info, a.task);
  const jb = queue.submit(info, b.task);
  const jc = queue.submit(info, c.task);
  const seen: DreamView[] = [];
  queue.subscribe(jc.id, (view) => seen.push(view));

  assert.equal(queue.cancel(jb.id)!.status, 'cancelled');
  assert.equal(b.started(), false);
  assert.equal(queue.get(jc.id)!.position, 1);
  assert.equal(seen.at(-1)!.position, 1, 'jobs behind are told their new place');

  queue.cancel(ja.id);
  assert.equal(a.aborted(), true);
  await settle();
  assert.equal(queue.get(ja.id)!.status, 'cancelled');
  assert.equal(queue.result(ja.id), undefined);
  assert.equal(queue.get(jc.id)!.status, 'running');
  assert.equal(seen.at(-1)!.status, 'running');

  c.fail(new Error('out of memory'));
  await settle();
  assert.deepEqual(
    { status: queue.get(jc.id)!.status, error: queue.get(jc.id)!.error },
    { status: 'failed', error: 'out of memory' },
  );
  // Deleting a finished dream forgets it.
  assert.equal(queue.cancel(jc.id)!.status, 'failed');
  assert.equal(queue.get(jc.id), undefined);
  queue.close();
});

test('finished dreams are forgotten after their time, and beyond the count limit', async () => {
  let now = 1000;
  const queue = new DreamQueue({ ...options, maxResults: 2, resultTtlMs: 500 }, () => now);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const t = manualTask();
    ids.push(queue.submit(info, t.task).id);
    t.finish(Buffer.from([i]));
    await settle();
    now += 100;
  }
  assert.equal(queue.get(ids[0]!), undefined, 'the oldest of three goes when two are kept');
  assert.deepEqual(queue.result(ids[2]!), Buffer.from([2]));
  now += 500;
  queue.submit(info, manualTask().task); // sweeps
  assert.equal(queue.get(ids[1]!), undefined);
  assert.equal(queue.get(ids[2]!), undefined);
  queue.close();
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

test('closing the server cancels a running dream and ends its event stream', async () => {
  const app = await testServer({ backendModule: fakeBackendModule('kind=grid&delayMs=30') });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const posted = (await postDream(app, { steps: '10' }, [{ name: 'a.png', bytes: await photoPng() }])).json();
  const events = await fetch(`${url}/api/dreams/${posted.id}/events`);
  const reader = events.body!.getReader();
  await reader.read(); // the first event: the stream is open
  await app.close();
  let text = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += new TextDecoder().decode(chunk.value);
  }
  assert.match(text, /"status":"cancelled"/);
});
