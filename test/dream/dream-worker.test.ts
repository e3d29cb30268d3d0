import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRgbImage, type RgbImage } from '../../src/image/rgb.js';
import { dream, dreamInProcess, type DreamProgress } from '../../src/dream/index.js';
import { createRandom } from '../../src/dream/random.js';
import { fakeBackend } from './fake-backend.js';

const fakeModule = (query: string) => new URL(`./fake-backend-module.ts?${query}`, import.meta.url);

function photo(width: number, height: number): RgbImage {
  const random = createRandom(2);
  return createRgbImage(
    width,
    height,
    Float32Array.from({ length: width * height * 3 }, () => 30 + 190 * random()),
  );
}

const options = { octaves: 2, steps: 3, tileSize: 64, seed: 11, layers: [{ name: 'a', weight: 1 }] };

test('a worker dream gives the same bytes as the same dream in process, with progress', async () => {
  const image = photo(90, 70);
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

test('transferImage hands the pixels to the worker instead of copying them', async () => {
  const image = photo(40, 30);
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
    await dream(photo(100, 80), options, {}, { backendModule: fakeModule('kind=grid&delayMs=40') });
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 10, `only ${ticks} ticks`);
});

test('aborting rejects with the signal reason (an AbortError)', async () => {
  const controller = new AbortController();
  const dreaming = dream(
    photo(100, 80),
    { ...options, steps: 100 },
    {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    },
    { backendModule: fakeModule('kind=grid&delayMs=10') },
  );
  await assert.rejects(dreaming, { name: 'AbortError' });
  await assert.rejects(dream(photo(10, 10), options, { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('errors cross the thread boundary with their message', async () => {
  await assert.rejects(dream(photo(20, 20), options, {}, { backendModule: fakeModule('kind=fail') }), {
    message: 'fake backend refused: no such model',
  });
  await assert.rejects(
    dream(
      photo(20, 20),
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
  await assert.rejects(dream(photo(20, 20), { octaves: 40 }), {
    message: 'octaves must be an integer from 1 to 12 (got 40)',
  });
});
