/**
 * Layers named by relative depth, as the looks name them on models other than the default: they
 * resolve to the model's blocks a third and all of the way up, and a dream with a look uses them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DreamBackend } from '../../../src/core/dream/backend.js';
import { dreamImage } from '../../../src/core/dream/dream-image.js';
import { modelBackend } from '../../../src/core/dream/model-backend.js';
import { resolveDreamOptions, type DreamLayer } from '../../../src/core/dream/options.js';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { findLayer, layerTensorName } from '../../../src/core/models/layers.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { torchvisionModel } from '../../support/torchvision-fixtures.js';

describe('layers named by depth', () => {
  const googlenet = torchvisionModel('googlenet');
  const presetLayer = (preset: string) =>
    modelBackend(googlenet, nodeRuntime).resolveLayers(resolveDreamOptions({ model: 'googlenet', preset }).layers);

  it("pick the looks' layers among GoogLeNet's blocks: a third up, the default, the top", () => {
    assert.deepEqual(presetLayer('textures'), [{ name: '/inception4a/Concat_output_0', weight: 1 }]);
    assert.deepEqual(presetLayer('eyes'), [{ name: '/inception4d/Concat_output_0', weight: 1 }]);
    assert.deepEqual(presetLayer('objects'), [{ name: '/inception5b/Concat_output_0', weight: 1 }]);
    assert.equal(findLayer(googlenet, googlenet.defaultLayer).name, '/inception4d/Concat_output_0');
  });

  it('dream with the look on a model it was not picked for', async () => {
    const backend = modelBackend(googlenet, nodeRuntime, { threads: 1 });
    const chosen: DreamLayer[][] = [];
    const recording: DreamBackend = {
      ...backend,
      resolveLayers: (layers, channels) => {
        const resolved = backend.resolveLayers(layers, channels);
        chosen.push(resolved);
        return resolved;
      },
    };
    const photo = createRgbImage(97, 83);
    photo.data.forEach((_, i) => (photo.data[i] = 128 + 60 * Math.sin(i / 89)));
    try {
      const options = { model: 'googlenet', preset: 'textures', octaves: 1, steps: 2, jitter: 0 };
      const dreamed = await dreamImage(photo, options, recording);
      assert.deepEqual(chosen, [[{ name: '/inception4a/Concat_output_0', weight: 1 }]]);
      const change = dreamed.data.reduce((sum, v, i) => sum + Math.abs(v - photo.data[i]!), 0) / photo.data.length;
      assert.ok(change > 1, `mean change ${change}`);
    } finally {
      await backend.release();
    }
  });

  it('fall back to the dreamable layers of a network without blocks, skipping the others', () => {
    const model = {
      layers: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => ({ name, dreamable: name !== 'g' })),
    };
    assert.equal(layerTensorName(model, '@0.333'), 'b');
    assert.equal(layerTensorName(model, '@0.667'), 'e');
    assert.equal(layerTensorName(model, '@1'), 'f');
    for (const name of ['@0', '@1.5', '@', '@x', '0.5']) assert.equal(layerTensorName(model, name), undefined, name);
  });

  it('refuse a depth out of range in one line', () => {
    assert.throws(
      () => findLayer(googlenet, '@2'),
      (err: Error) => !err.message.includes('\n') && /^model googlenet has no layer '@2'; /.test(err.message),
    );
  });
});
