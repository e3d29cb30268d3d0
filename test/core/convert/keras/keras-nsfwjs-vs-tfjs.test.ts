/**
 * The bundled nsfwjs Keras models, converted and run in ORT, against tfjs running the original
 * topology with the original quantized weights. Odd sizes exercise asymmetric padding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertKeras } from '../../../../src/core/convert/keras/convert.js';
import { parseTopology } from '../../../../src/core/convert/keras/topology.js';
import { KerasWeights } from '../../../../src/core/convert/keras/weights.js';
import {
  decodeWeightBytes,
  nsfwjsPackageDir,
  readSourceFiles,
  readTfjsModel,
} from '../../../../src/node/models/nsfwjs-files.js';
import { assertClose, runOrt, testPixels } from './keras-harness.js';
import { runTfjsReference } from './tfjs-reference.js';

const TOLERANCE = 1e-4;

const CASES = [
  {
    model: 'inception_v3',
    cut: 'mixed5',
    layers: ['activation_3', 'max_pooling2d_1', 'mixed0', 'mixed3', 'mixed5'],
    sizes: [
      [83, 91],
      [75, 75],
    ] as const,
  },
  {
    model: 'mobilenet_v2',
    cut: 'block_10_project_BN',
    layers: [
      'Conv1_relu',
      'block_2_add',
      'block_3_depthwise_relu',
      'block_6_expand_relu',
      'block_9_add',
      'block_10_project_BN',
    ],
    sizes: [
      [83, 91],
      [96, 96],
    ] as const,
  },
];

/** Each model is read and converted once for all tests of this file. */
const conversions = new Map<string, ReturnType<typeof convertBundled>>();
async function convertBundled(model: string, cut: string) {
  const source = await readTfjsModel(nsfwjsPackageDir(), model);
  const bytes = decodeWeightBytes(source, await readSourceFiles(source));
  const weights = new KerasWeights(source.weightSpecs, bytes);
  return { source, bytes, converted: convertKeras(parseTopology(source.modelTopology), weights, { lastLayer: cut }) };
}
function converted(model: string, cut: string): ReturnType<typeof convertBundled> {
  if (!conversions.has(model)) conversions.set(model, convertBundled(model, cut));
  return conversions.get(model)!;
}

for (const { model, cut, layers, sizes } of CASES) {
  test(`${model} converted up to ${cut} matches tfjs at ${layers.join(', ')}`, async () => {
    const { source, bytes, converted: conversion } = await converted(model, cut);
    for (const [height, width] of sizes) {
      const pixels = testPixels(height, width, height * 1000 + width);
      const expected = await runTfjsReference(
        source.modelTopology,
        source.weightSpecs,
        bytes,
        layers,
        pixels,
        height,
        width,
      );
      const actual = await runOrt(conversion.model, layers, pixels, height, width);
      layers.forEach((layer, i) =>
        assertClose(actual[i]!, expected[i]!, TOLERANCE, `${model} ${layer} at ${height}x${width}`),
      );
    }
  });
}

test('the converted graph holds only the frozen layers up to the cut', async () => {
  const { converted: conversion } = await converted('inception_v3', 'mixed5');
  const { graph } = conversion.model;
  const tensors = new Set(graph.nodes.flatMap((n) => n.outputs));
  assert.deepStrictEqual(
    graph.outputs.map((o) => o.name),
    ['mixed5'],
  );
  assert.ok(tensors.has('mixed0') && tensors.has('activation_1') && tensors.has('batch_normalization_1'));
  // conv2d_55 is trainable: false in the file too, but it lies above mixed5 and must stay out.
  for (const name of ['conv2d_55', 'batch_normalization_55', 'activation_55', 'mixed6', 'dense_3']) {
    assert.ok(![...tensors, ...graph.initializers.keys()].some((t) => t.startsWith(name)), `${name} is in the graph`);
  }
  assert.equal(conversion.absent.get('conv2d_1'), 'folded into batch_normalization_1 (its BatchNormalization)');
  assert.deepStrictEqual(graph.inputs, [{ name: 'image', dataType: 'float32', shape: [1, 3, 'height', 'width'] }]);
});
