/** Dreams through the real engine and bundled model, kept tiny (a shallow layer, small images). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import {
  dreamInProcess,
  modelBackend,
  PRESETS,
  DEFAULT_MODEL,
  type DreamBackend,
} from '../../../src/node/dream/index.js';
import { createRandom } from '../../../src/core/dream/random.js';
import { loadModel } from '../../../src/node/models/index.js';

function photo(width: number, height: number, seed: number): RgbImage {
  const random = createRandom(seed);
  const image = createRgbImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++)
        image.data[(y * width + x) * 3 + c] = 128 + 60 * Math.sin((x + 2 * y) / (5 + c)) + 20 * random();
    }
  }
  return image;
}

const tiny = { layers: [{ name: 'mixed0', weight: 1 }], octaves: 2, steps: 2 };

let backend: DreamBackend;
test.before(async () => {
  backend = modelBackend(await loadModel(DEFAULT_MODEL));
});
test.after(() => backend.release());

test('every preset names dreamable layers of the default model', () => {
  for (const [name, preset] of Object.entries(PRESETS)) {
    assert.doesNotThrow(() => backend.resolveLayers(preset.options.layers ?? []), name);
  }
  assert.deepEqual(backend.resolveLayers([]), [{ name: 'mixed4', weight: 1 }]);
  assert.throws(() => backend.resolveLayers([{ name: 'mixed0', weight: 1 }], [256]), {
    message: "channel 256 is out of range: layer 'mixed0' has channels 0 to 255",
  });
});

test('a real dream changes the image, stays in range and is byte-for-byte reproducible', async () => {
  const image = photo(96, 72, 1);
  const a = await dreamInProcess(image, tiny, {}, { backend });
  const b = await dreamInProcess(image, tiny, {}, { backend });
  assert.deepEqual([a.width, a.height], [96, 72]);
  assert.ok(a.data.every((v) => v >= 0 && v <= 255));
  const change = a.data.reduce((s, v, i) => s + Math.abs(v - image.data[i]!), 0) / a.data.length;
  // Two steps of 1.5 (mean |step| per step) on the final octave, plus the smaller octave's detail.
  assert.ok(change > 1 && change < 10, `mean change ${change}`);
  assert.deepEqual(a.data, b.data);
});

test('a guided dream and a channel dream run through the engine and differ from the plain one', async () => {
  const image = photo(64, 64, 2);
  const plain = await dreamInProcess(image, { ...tiny, octaves: 1 }, {}, { backend });
  const guided = await dreamInProcess(image, { ...tiny, octaves: 1, guide: photo(50, 60, 3) }, {}, { backend });
  const channel = await dreamInProcess(image, { ...tiny, octaves: 1, channels: [7] }, {}, { backend });
  assert.notDeepEqual(guided.data, plain.data);
  assert.notDeepEqual(channel.data, plain.data);
  assert.notDeepEqual(guided.data, image.data);
});
