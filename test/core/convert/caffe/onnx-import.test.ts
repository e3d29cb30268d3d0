import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  LABELS_METADATA,
  TORCH_IMAGENET_PREPROCESSING,
  parseDescriptor,
  parseDescriptorJson,
} from '../../../../src/core/models/descriptor.js';
import { readLabelSet } from '../../../../src/node/models/descriptor.js';
import { importOnnxModel, loadImportedModel } from '../../../../src/core/models/onnx-import.js';
import { encodeModel } from '../../../../src/core/onnx/codec.js';
import { relativeL2 } from '../../../support/compare.js';
import { fixturePath, objectiveFromKey, readReference, runGradient, runLayers } from './reference.js';

const bytes = (name: string) => new Uint8Array(readFileSync(fixturePath(`onnx/${name}.onnx`)));

describe('ONNX import', () => {
  it('wraps an opset-9 NCHW classifier: preprocessing inside, outputs and gradients match PyTorch', async () => {
    const reference = readReference('onnx/tiny_classifier.reference.json');
    const loaded = importOnnxModel(bytes('tiny_classifier'), { preprocessing: TORCH_IMAGENET_PREPROCESSING }, 'tiny');
    assert.equal(loaded.model.opsetVersion, 13);
    assert.deepEqual(loaded.defaultInputSize, [9, 9]);
    const concat = reference.concat!;
    const layer = loaded.layers.find((l) => l.name === concat)!;
    assert.deepEqual(layer.shape, [8, 5, 5]);
    assert.ok(layer.dreamable);
    const out = await runLayers(loaded, reference.image, ['output']);
    assert.ok(relativeL2(out['output']!.data, reference.blobs['output']!.data) <= 1e-4);
    // The reference's trunk is the AveragePool after the Concat: the last 4-D layer.
    const trunk = loaded.layers.at(-1)!.name;
    const trunkOut = await runLayers(loaded, reference.image, [trunk]);
    assert.ok(relativeL2(trunkOut[trunk]!.data, reference.blobs['trunk']!.data) <= 1e-4);
    const grad = await runGradient(loaded, reference.image, objectiveFromKey(`${trunk}|meanSquare|None`));
    assert.ok(relativeL2(grad, reference.gradients['trunk|meanSquare|None']!.data) <= 2e-3);
  });

  it('detects an NHWC input and its size, with the range from the descriptor', async () => {
    const reference = readReference('onnx/tiny_nhwc.reference.json');
    const descriptor = parseDescriptor({ preprocessing: { range: [0, 1] } });
    const loaded = importOnnxModel(bytes('tiny_nhwc'), descriptor, 'nhwc');
    assert.deepEqual(loaded.defaultInputSize, [12, 10]);
    const out = await runLayers(loaded, reference.image, ['output']);
    assert.ok(relativeL2(out['output']!.data, reference.blobs['output']!.data) <= 1e-4);
  });

  it('survives a round trip through an .onnx file', () => {
    const loaded = importOnnxModel(
      bytes('tiny_classifier'),
      { preprocessing: TORCH_IMAGENET_PREPROCESSING, labels: 'imagenet1000' },
      'tiny',
      readLabelSet,
    );
    assert.equal((JSON.parse(loaded.model.metadata[LABELS_METADATA]!) as string[])[999], 'toilet_tissue');
    const again = loadImportedModel(encodeModel(loaded.model), 'tiny');
    assert.deepEqual(again.layers, loaded.layers);
    assert.equal(again.defaultLayer, loaded.defaultLayer);
    assert.deepEqual(again.defaultInputSize, loaded.defaultInputSize);
  });

  it('needs a label set reader for a label set id, not for inline labels', () => {
    const descriptor = { preprocessing: TORCH_IMAGENET_PREPROCESSING };
    assert.throws(() => importOnnxModel(bytes('tiny_classifier'), { ...descriptor, labels: 'imagenet1000' }), {
      message: "label set 'imagenet1000' cannot be read here; list the class names instead",
    });
    const loaded = importOnnxModel(bytes('tiny_classifier'), { ...descriptor, labels: ['cat', 'dog'] });
    assert.equal(loaded.model.metadata[LABELS_METADATA], '["cat","dog"]');
  });

  it('refuses a network whose ops have no gradient, naming the op', () => {
    assert.throws(
      () => importOnnxModel(bytes('abs_first'), { preprocessing: TORCH_IMAGENET_PREPROCESSING }, 'abs'),
      /model 'abs' has no layer that can be dreamed: op Abs .* has no gradient rule/,
    );
  });

  it('refuses a file that is not an ONNX model', () => {
    assert.throws(
      () =>
        importOnnxModel(new TextEncoder().encode('<html>not found</html>'), {
          preprocessing: TORCH_IMAGENET_PREPROCESSING,
        }),
      /not an ONNX model/,
    );
  });

  it('validates descriptors with one-line errors', () => {
    assert.throws(
      () => parseDescriptor({ preprocessing: { channelOrder: 'GBR' } }),
      /'channelOrder' should be "RGB" or "BGR"/,
    );
    assert.throws(() => parseDescriptor({ preprocessing: { mean: [1, 2] } }), /'mean' should be a list of 3 numbers/);
    assert.throws(() => parseDescriptor({ prepocessing: {} }), /unknown field 'prepocessing'/);
    assert.throws(() => parseDescriptorJson('{"input": ', 'model descriptor d.json'), {
      message: /^model descriptor d\.json is not valid JSON: /,
    });
    assert.throws(() => parseDescriptorJson('{"input": 3}', 'model descriptor d.json'), {
      message: "model descriptor d.json: 'input' should be a string",
    });
    assert.deepEqual(parseDescriptorJson('{"logits": "fc"}', 'd').logits, 'fc');
  });
});
