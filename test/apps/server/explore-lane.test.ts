import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackgroundLane } from '../../../src/apps/server/explore/lane.js';

/** Work that records when it starts and finishes when `release` is called. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    release: () => release(),
    work: async (signal: AbortSignal) => {
      log.push(`start ${name}`);
      await Promise.race([
        done,
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      ]);
      log.push(`end ${name}`);
      return name;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('the newest waiting job runs next, one job at a time', async () => {
  const lane = new BackgroundLane();
  const log: string[] = [];
  const [a, b, c] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'c')];
  const results = [lane.run('a', a.work), lane.run('b', b.work), lane.run('c', c.work)];
  await tick();
  assert.deepEqual(log, ['start a']);
  assert.deepEqual(
    [lane.position('a'), lane.position('c'), lane.position('b'), lane.position('x')],
    [0, 1, 2, undefined],
  );
  a.release();
  await tick();
  c.release();
  await tick();
  b.release();
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c']);
  assert.deepEqual(log, ['start a', 'end a', 'start c', 'end c', 'start b', 'end b']);
});

test('asking for a key already waiting or running joins it: the work runs once', async () => {
  const lane = new BackgroundLane();
  let runs = 0;
  const work = async () => ++runs;
  const answers = await Promise.all([lane.run('k', work), lane.run('k', work), lane.run('k', work)]);
  assert.deepEqual(answers, [1, 1, 1]);
  assert.equal(runs, 1);
  // Done: the next ask runs it again (the caller keeps results, the lane does not).
  assert.equal(await lane.run('k', work), 2);
});

test('a waiting job whose askers all left is dropped; a running one is told to stop', async () => {
  const lane = new BackgroundLane();
  const log: string[] = [];
  const [first, second, third] = [gate(log, 'first'), gate(log, 'second'), gate(log, 'third')];
  const running = new AbortController();
  const firstResult = lane.run('first', first.work, running.signal);
  const leaving = [new AbortController(), new AbortController()];
  const dropped = leaving.map((c) => lane.run('second', second.work, c.signal));
  const thirdResult = lane.run('third', third.work);
  await tick();
  leaving[0]!.abort(new Error('gone'));
  assert.equal(lane.position('second'), 2, 'one asker is still there');
  leaving[1]!.abort(new Error('gone too'));
  assert.equal(lane.position('second'), undefined);
  await assert.rejects(dropped[0]!, { message: 'gone' });
  await assert.rejects(dropped[1]!, { message: 'gone too' });

  running.abort(new Error('client left'));
  await assert.rejects(firstResult, { message: 'client left' });
  await tick();
  assert.deepEqual(log, ['start first', 'start third'], 'first stopped, second never ran');
  third.release();
  assert.equal(await thirdResult, 'third');
});

test('closing refuses new work and rejects what waits', async () => {
  const lane = new BackgroundLane();
  const log: string[] = [];
  const [a, b] = [gate(log, 'a'), gate(log, 'b')];
  const results = [lane.run('a', a.work), lane.run('b', b.work)];
  await tick();
  lane.close();
  for (const result of results) await assert.rejects(result, { message: 'the server is closing' });
  await assert.rejects(
    lane.run('c', async () => 'c'),
    { message: 'the server is closing' },
  );
  assert.deepEqual(log, ['start a']);
});
