import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { convertCaffe } from '../../../../src/core/convert/caffe/convert.js';
import { CAFFE_IMAGENET_PREPROCESSING, classObjective } from '../../../../src/core/models/descriptor.js';
import { importCaffeModel } from '../../../../src/core/models/onnx-import.js';
import { relativeL2 } from '../../../support/compare.js';
import { fixturePath, objectiveFromKey, readReference, runGradient, runLayers } from './reference.js';

const read = (name: string) => ({
  prototxt: readFileSync(fixturePath(`caffe/${name}.prototxt`), 'utf8'),
  caffemodel: new Uint8Array(readFileSync(fixturePath(`caffe/${name}.caffemodel`))),
});

for (const name of ['tiny_inception', 'tiny_v1']) {
  describe(`Caffe ${name}`, () => {
    const { prototxt, caffemodel } = read(name);
    const reference = readReference(`caffe/${name}.reference.json`);
    const loaded = importCaffeModel(
      prototxt,
      caffemodel,
      { preprocessing: CAFFE_IMAGENET_PREPROCESSING, labels: Array.from({ length: 10 }, (_, i) => `class ${i}`) },
      name,
    );

    it('matches Caffe semantics for every blob (relative L2 <= 1e-4)', async () => {
      const blobs = Object.keys(reference.blobs);
      const actual = await runLayers(loaded, reference.image, blobs);
      for (const blob of blobs) {
        assert.deepEqual(actual[blob]!.dims, reference.blobs[blob]!.dims, `${blob} shape`);
        const err = relativeL2(actual[blob]!.data, reference.blobs[blob]!.data);
        assert.ok(err <= 1e-4, `${blob}: relative L2 ${err}`);
      }
    });

    it('gives input gradients matching PyTorch (relative L2 <= 2e-3)', async () => {
      for (const [key, expected] of Object.entries(reference.gradients)) {
        const actual = await runGradient(loaded, reference.image, objectiveFromKey(key));
        const err = relativeL2(actual, expected.data);
        assert.ok(err <= 2e-3, `${key}: relative L2 ${err}`);
      }
    });
  });
}

describe('Caffe import', () => {
  const { prototxt, caffemodel } = read('tiny_inception');

  it('lists Caffe blobs as layers, with Caffe names and CHW shapes', () => {
    const loaded = importCaffeModel(prototxt, caffemodel, { preprocessing: CAFFE_IMAGENET_PREPROCESSING }, 'tiny');
    const names = loaded.layers.map((l) => l.name);
    assert.deepEqual(names.slice(0, 4), ['conv1/3x3_s2', 'pool1/3x3_s2', 'pool1/norm1', 'mix/1x1']);
    assert.ok(!names.some((n) => n.includes(':')), 'no intermediate values');
    const mix = loaded.layers.find((l) => l.name === 'mix/output')!;
    assert.deepEqual(mix.shape, [22, 6, 6]);
    assert.equal(mix.channels, 22);
    assert.ok(mix.dreamable);
    assert.deepEqual(loaded.layers.find((l) => l.name === 'pool_drop')!.shape, [5, 3, 3]);
    assert.ok(loaded.layers.every((l) => l.dreamable));
    assert.deepEqual(loaded.defaultInputSize, [23, 23]);
    assert.equal(loaded.model.graph.inputs[0]!.name, 'image');
    assert.deepEqual(loaded.model.graph.inputs[0]!.shape, [1, 3, 'height', 'width']);
  });

  it('finds the smallest input that reaches the deepest dreamable layer', () => {
    const loaded = importCaffeModel(prototxt, caffemodel, { preprocessing: CAFFE_IMAGENET_PREPROCESSING }, 'tiny');
    assert.ok(loaded.minInputSize >= 1 && loaded.minInputSize <= 23);
  });

  it('builds a class objective on the logits from a label name', () => {
    const labels = Array.from({ length: 10 }, (_, i) => `thing_${i}`);
    const loaded = importCaffeModel(
      prototxt,
      caffemodel,
      { preprocessing: CAFFE_IMAGENET_PREPROCESSING, labels },
      'tiny',
    );
    assert.deepEqual(classObjective(loaded, 'Thing 3'), {
      terms: [{ kind: 'layer', layer: 'loss3/classifier', weight: 1, reduce: 'mean', channels: [3] }],
    });
    assert.throws(() => classObjective(loaded, 'banana'), /no class named 'banana'/);
  });

  it('reads the legacy input_shape declaration', () => {
    const v1 = read('tiny_v1');
    const text = v1.prototxt.replace(
      /input_dim: 1\ninput_dim: 3\ninput_dim: 16\ninput_dim: 16/,
      'input_shape { dim: 1 dim: 3 dim: 16 dim: 16 }',
    );
    assert.notEqual(text, v1.prototxt);
    assert.deepEqual(convertCaffe(text, v1.caffemodel).inputShape, [1, 3, 16, 16]);
  });

  it('rejects unsupported layers with the layer name and type', () => {
    const text = prototxt.replace('type: "LRN"', 'type: "PReLU"');
    assert.throws(
      () => convertCaffe(text, caffemodel),
      /Caffe layer 'pool1\/norm1' has type PReLU, which the converter does not support/,
    );
  });

  it('rejects training prototxts and mismatched weights with what to do', () => {
    const training =
      'layer { name: "d" type: "Data" top: "data" }\nlayer { name: "c" type: "ReLU" bottom: "data" top: "c" }';
    assert.throws(() => convertCaffe(training, caffemodel), /use the network's deploy prototxt/);
    const other = read('tiny_v1');
    assert.throws(() => convertCaffe(prototxt, other.caffemodel), /conv1\/3x3_s2.*0 weight blobs/);
    assert.throws(() => convertCaffe(prototxt, new TextEncoder().encode(prototxt)), /not a Caffe .caffemodel file/);
  });
});
