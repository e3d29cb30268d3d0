import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manifestModel, modelManifest, parseManifest } from '../../../src/core/models/manifest.js';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { emptyGraph } from '../../../src/core/onnx/ir.js';

const model: LoadedModel = {
  name: 'tiny',
  model: { graph: emptyGraph('tiny'), opsetVersion: 17, irVersion: 8, producerName: 'test', metadata: {} },
  inputName: 'image',
  defaultInputSize: [64, 48],
  minInputSize: 9,
  layers: [
    { name: 'conv1', shape: [4, 8, 8], channels: 4, dreamable: true },
    { name: 'head', shape: [10], channels: 10, dreamable: false, reason: 'a vector' },
  ],
  defaultLayer: 'conv1',
  noClassifierMessage: 'no head',
};

test('a manifest round-trips through JSON to the same loaded model', () => {
  const manifest = modelManifest(model, 'tiny-0123456789abcdef.onnx', 1234);
  assert.deepEqual([manifest.onnx, manifest.bytes], ['tiny-0123456789abcdef.onnx', 1234]);
  assert.equal('model' in manifest, false);
  const parsed = parseManifest(JSON.parse(JSON.stringify(manifest)), 'tiny.json');
  assert.deepEqual(manifestModel(parsed, model.model), model);
});

test('a model without a classifier message has none after the round trip', () => {
  const plain = { ...model };
  delete plain.noClassifierMessage;
  const manifest = modelManifest(plain, 'tiny.onnx', 1);
  assert.equal('noClassifierMessage' in manifestModel(manifest, plain.model), false);
});

test('anything else is refused, naming where it came from', () => {
  const manifest = modelManifest(model, 'tiny.onnx', 1);
  for (const bad of [
    null,
    [],
    { ...manifest, bytes: '1' },
    { ...manifest, layers: [{ name: 'x' }] },
    { ...manifest, onnx: 3 },
  ]) {
    assert.throws(() => parseManifest(bad, 'models/tiny.json'), {
      message: 'models/tiny.json is not a model manifest',
    });
  }
});
