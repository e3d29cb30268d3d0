import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dream, dreamInProcess, warmUpDream, type DreamProgress } from '../../../src/node/dream/index.js';
import type { RgbImage } from '../../../src/core/image/rgb.js';
import { fakeBackend, randomPhoto } from '../../support/fake-backend.js';

const fakeModule = (query: string) => new URL(`../../support/fake-backend-module.ts?${query}`, import.meta.url);

const options = { octaves: 2, steps: 3, tileSize: 64, seed: 11, layers: [{ name: 'a', weight: 1 }] };

test('a worker dream gives the same bytes as the same dream in process, with progress', async () => {
  const image = randomPhoto(90, 70);
  const reports: DreamProgress[] = [];
  const inWorker = await dream(
    image,
    options,
    { onProgress: (p) => reports.push(p) },
    { backendModule: fakeModule('kind=grid') },
  );
  const inProcess = await dreamInProcess(image, options, {}, { backend: fakeBackend('grid') });
  assert.deepEqual([inWorker.width, inWorker.height], [90, 70]);
  assert.ok(inWorker.data instanceof Float32Array);
  assert.deepEqual(inWorker.data, inProcess.data);
  assert.equal(reports.length, 2 * 3);
  assert.equal(reports.at(-1)!.fraction, 1);
  assert.equal(image.data.length, 90 * 70 * 3, "the caller's image stays usable");
});

test("the worker sends each octave's image when asked, equal to the in-process one", async () => {
  const image = randomPhoto(90, 70);
  const three = { ...options, octaves: 3 };
  const collect = (into: Array<[number, RgbImage]>) => (octaveImage: RgbImage, octave: number) =>
    into.push([octave, octaveImage]);
  const inWorker: Array<[number, RgbImage]> = [];
  const inProcess: Array<[number, RgbImage]> = [];
  await dream(image, three, { onOctave: collect(inWorker) }, { backendModule: fakeModule('kind=grid') });
  await dreamInProcess(image, three, { onOctave: collect(inProcess) }, { backend: fakeBackend('grid') });
  assert.deepEqual(
    inWorker.map(([octave, octaveImage]) => [octave, octaveImage.width, octaveImage.height]),
    [
      [1, 46, 36],
      [2, 64, 50],
    ],
  );
  assert.deepEqual(inWorker, inProcess);
});

test("a worker dream's octave count left unset follows the image size", async () => {
  let octaves = 0;
  const unset = { ...options, octaves: undefined };
  const onProgress = (p: DreamProgress) => (octaves = p.octaves);
  await dream(randomPhoto(512, 342), unset, { onProgress }, { backendModule: fakeModule('kind=zero') });
  assert.equal(octaves, 2);
});

test('transferImage hands the pixels to the worker instead of copying them', async () => {
  const image = randomPhoto(40, 30);
  const expected = await dreamInProcess(image, options, {}, { backend: fakeBackend('grid') });
  const out = await dream(image, options, {}, { backendModule: fakeModule('kind=grid'), transferImage: true });
  assert.equal(image.data.length, 0, 'the caller gave its buffer away');
  assert.deepEqual(out.data, expected.data);
});

test('the event loop keeps ticking while the worker dreams', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    // 2 octaves x 3 steps x 1-4 tiles x 40 ms of (fake) work per tile.
    await dream(randomPhoto(100, 80), options, {}, { backendModule: fakeModule('kind=grid&delayMs=40') });
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 10, `only ${ticks} ticks`);
});

test('aborting rejects with the signal reason (an AbortError)', async () => {
  const controller = new AbortController();
  const dreaming = dream(
    randomPhoto(100, 80),
    { ...options, steps: 100 },
    {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    },
    { backendModule: fakeModule('kind=grid&delayMs=10') },
  );
  await assert.rejects(dreaming, { name: 'AbortError' });
  await assert.rejects(dream(randomPhoto(10, 10), options, { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('errors cross the thread boundary with their message', async () => {
  await assert.rejects(dream(randomPhoto(20, 20), options, {}, { backendModule: fakeModule('kind=fail') }), {
    message: 'fake backend refused: no such model',
  });
  await assert.rejects(
    dream(
      randomPhoto(20, 20),
      { ...options, layers: [{ name: 'missing', weight: 1 }] },
      {},
      { backendModule: fakeModule('kind=grid') },
    ),
    {
      message: "unknown layer 'missing'",
    },
  );
});

test('bad options are refused before any worker starts', async () => {
  await assert.rejects(dream(randomPhoto(20, 20), { octaves: 40 }), {
    name: 'OptionError',
    option: 'octaves',
    message: 'octaves must be an integer from 1 to 12 (got 40)',
  });
});

/** A fake backend module logging to a fresh file: which thread loaded it and created backends. */
function loggedModule(query: string): { module: URL; events: () => string[] } {
  const log = join(mkdtempSync(join(tmpdir(), 'dream-worker-')), 'events.log');
  return {
    module: fakeModule(`${query}&log=${encodeURIComponent(log)}`),
    events: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

test('sequential dreams share one worker, which creates the backend once', async () => {
  const { module, events } = loggedModule('kind=grid');
  const first = await dream(randomPhoto(90, 70), options, {}, { backendModule: module });
  const second = await dream(randomPhoto(90, 70), options, {}, { backendModule: module });
  assert.deepEqual(second.data, first.data);
  const [load, create, ...more] = events();
  assert.match(load!, /^load \d+$/);
  assert.equal(create, load!.replace('load', 'create'), 'the backend was created in the thread that loaded it');
  assert.deepEqual(more, [], 'the second dream loaded and created nothing');
});

test('an aborted dream leaves the worker and its backend to the next dream', async () => {
  const { module, events } = loggedModule('kind=grid&delayMs=10');
  const controller = new AbortController();
  const aborted = dream(
    randomPhoto(100, 80),
    { ...options, steps: 100 },
    { signal: controller.signal, onProgress: () => controller.abort() },
    { backendModule: module },
  );
  const next = dream(randomPhoto(40, 30), options, {}, { backendModule: module });
  await assert.rejects(aborted, { name: 'AbortError' });
  const expected = await dreamInProcess(randomPhoto(40, 30), options, {}, { backend: fakeBackend('grid') });
  assert.deepEqual((await next).data, expected.data);
  assert.equal(events().length, 2, 'one load and one backend for both dreams');
});

test('warming up loads the backend the dream then uses', async () => {
  const { module, events } = loggedModule('kind=grid');
  warmUpDream(options, { backendModule: module });
  await dream(randomPhoto(40, 30), options, {}, { backendModule: module });
  assert.equal(events().filter((e) => e.startsWith('create')).length, 1);
});

test('a failed warm-up is reported by the dream, with its message', async () => {
  const { module, events } = loggedModule('kind=fail');
  warmUpDream(options, { backendModule: module });
  warmUpDream({ octaves: 40 }, { backendModule: module });
  await assert.rejects(dream(randomPhoto(20, 20), options, {}, { backendModule: module }), {
    message: 'fake backend refused: no such model',
  });
  assert.equal(events().filter((e) => e.startsWith('create')).length, 2, 'the dream tried again');
});

test('a worker that dies fails its dream in one line, and the next dream gets a fresh worker', async () => {
  const { module, events } = loggedModule('kind=grid');
  const crash = { ...options, layers: [{ name: 'exit-worker', weight: 1 }] };
  await assert.rejects(dream(randomPhoto(20, 20), crash, {}, { backendModule: module }), {
    message: 'dream worker stopped unexpectedly (exit code 70)',
  });
  await dream(randomPhoto(20, 20), options, {}, { backendModule: module });
  const threads = new Set(events().map((e) => e.split(' ')[1]));
  assert.equal(threads.size, 2);
});

test('a process that dreams once exits by itself', () => {
  const script = fileURLToPath(new URL('./dream-once.ts', import.meta.url));
  // The timeout only keeps a broken build from hanging the suite.
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, fakeModule('kind=grid').href], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.equal(run.stdout, 'dreamed 24x16\n');
});
