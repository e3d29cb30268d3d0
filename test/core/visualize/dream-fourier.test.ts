/** Dreams with param 'fourier': one scale, steps x octaves Adam steps through random transforms. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dreamImage } from '../../../src/core/dream/dream-image.js';
import { resolveDreamOptions, type DreamOptionsInput } from '../../../src/core/dream/options.js';
import { fakeBackend, randomPhoto } from '../../support/fake-backend.js';

const options: DreamOptionsInput = {
  param: 'fourier',
  steps: 3,
  octaves: 2,
  tileSize: 64,
  layers: [{ name: 'a', weight: 1 }],
};

test('one session at the image size, steps x octaves runs, the photo as the start', async () => {
  const photo = randomPhoto(40, 30);
  const still = fakeBackend('zero');
  const unchanged = await dreamImage(photo, options, still);
  assert.deepEqual(
    still.sessions.map((s) => [s.tile, s.session.runs]),
    [[{ height: 30, width: 40 }, 6]],
  );
  unchanged.data.forEach((v, i) => assert.ok(Math.abs(v - photo.data[i]!) < 0.05, `${i}: ${v}`));

  const progress: number[] = [];
  const redder = await dreamImage(photo, options, fakeBackend('redOnly'), { onProgress: (p) => progress.push(p.step) });
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
  const mean = (image: typeof photo, c: number) =>
    image.data.filter((_, i) => i % 3 === c).reduce((a, v) => a + v, 0) / (image.data.length / 3);
  assert.ok(mean(redder, 0) > mean(photo, 0) + 5, `red ${mean(photo, 0)} -> ${mean(redder, 0)}`);
});

test('large images are dreamed in tiles', async () => {
  const backend = fakeBackend('grid');
  await dreamImage(randomPhoto(100, 50), { ...options, steps: 1, octaves: 1 }, backend);
  assert.deepEqual(
    backend.sessions.map((s) => [s.tile, s.session.runs]),
    [[{ height: 50, width: 50 }, 2]],
  );
});

test('param is checked with the other options', () => {
  assert.throws(() => resolveDreamOptions({ param: 'spectral' as 'fourier' }), {
    message: "param must be one of pixel, fourier (got 'spectral')",
  });
  assert.throws(() => resolveDreamOptions({ param: 'fourier', class: 'banana' }), {
    message: "param must be 'pixel' with class (got 'fourier')",
  });
  assert.equal(resolveDreamOptions({}).param, undefined);
});
