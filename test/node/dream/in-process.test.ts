import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { dreamImage } from '../../../src/core/dream/dream-image.js';
import { dream } from '../../../src/node/dream/index.js';
import { dreamInProcess } from '../../../src/node/dream/in-process.js';
import { probeDevice } from '../../../src/node/runtime/device.js';
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

test('without a backend: a device that does not work here is refused before any model loads', async (t) => {
  const unknownModel = { ...small, model: 'no-such-model' };
  await assert.rejects(dreamInProcess(randomPhoto(20, 20), unknownModel, {}, { device: 'gpu' as 'cpu' }), {
    name: 'OptionError',
    message: "device must be one of auto, cpu, cuda, webgpu (got 'gpu')",
  });
  if ((await probeDevice('cuda')) === undefined) return t.skip('CUDA works here');
  await assert.rejects(dreamInProcess(randomPhoto(20, 20), unknownModel, {}, { device: 'cuda' }), {
    name: 'OptionError',
    message: /^device cuda: ONNX Runtime's CUDA provider does not work here/,
  });
});

test('dream() in the worker refuses a device that does not work here before queueing anything', async (t) => {
  if ((await probeDevice('webgpu')) === undefined) return t.skip('WebGPU works here');
  await assert.rejects(dream(randomPhoto(20, 20), small, {}, { device: 'webgpu' }), {
    name: 'OptionError',
    message: /^device webgpu: ONNX Runtime's WebGPU provider does not work here \(.+\); it needs a GPU/,
  });
});
