import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { dreamImage } from '../../../src/core/dream/dream-image.js';
import { dreamInProcess } from '../../../src/node/dream/in-process.js';
import { fakeBackend, randomPhoto } from '../../support/fake-backend.js';

const small = { octaves: 2, steps: 2, tileSize: 64, layers: [{ name: 'a', weight: 1 }] };

test('with a backend: the same dream as dreamImage, and the backend stays open', async () => {
  const backend = fakeBackend('grid');
  const dreamed = await dreamInProcess(randomPhoto(90, 70), small, {}, { backend });
  assert.deepEqual(dreamed, await dreamImage(randomPhoto(90, 70), small, fakeBackend('grid')));
  assert.equal(backend.released, false);
});

test('without a backend: bad input is refused before any model loads', async () => {
  const unknownModel = { ...small, model: 'no-such-model' };
  await assert.rejects(dreamInProcess(createRgbImage(0, 5, new Float32Array(0)), unknownModel), {
    message: 'image size must be positive integers (got 0x5)',
  });
  await assert.rejects(dreamInProcess(randomPhoto(20, 20), { ...unknownModel, steps: 0 }), { message: /^steps / });
  await assert.rejects(dreamInProcess(randomPhoto(20, 20), unknownModel, { signal: AbortSignal.abort() }), {
    name: 'AbortError',
  });
  await assert.rejects(dreamInProcess(randomPhoto(20, 20), unknownModel), {
    message: /^unknown model 'no-such-model'/,
  });
});
