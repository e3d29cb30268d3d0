/**
 * Hand-written Keras graphs covering what the bundled models do not: strided 'same' convolution
 * and pooling (auto_pad SAME_UPPER), dilation, depth multipliers, stand-alone BatchNormalization,
 * Pad before pooling, n-ary Add, uint16 weights, plus the converter's error messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertKeras } from '../../../../src/core/convert/keras/convert.js';
import { parseTopology } from '../../../../src/core/convert/keras/topology.js';
import { KerasWeights } from '../../../../src/core/convert/keras/weights.js';
import { assertClose, runOrt, testPixels } from './keras-harness.js';
import { bnWeights, syntheticModel, type SyntheticLayer } from './synthetic-keras.js';
import { runTfjsReference } from './tfjs-reference.js';

const same = (kernel: number, strides: number) => ({
  kernel_size: [kernel, kernel],
  strides: [strides, strides],
  padding: 'same',
});
const pool = (size: number, strides: number, padding: string) => ({
  pool_size: [size, size],
  strides: [strides, strides],
  padding,
});

const LAYERS: SyntheticLayer[] = [
  {
    name: 'c1',
    className: 'Conv2D',
    inputs: ['input'],
    config: { filters: 4, ...same(3, 2), use_bias: true, activation: 'relu' },
    weights: [
      ['kernel', [3, 3, 3, 4]],
      ['bias', [4]],
    ],
  },
  { name: 'ap1', className: 'AveragePooling2D', inputs: ['c1'], config: pool(3, 1, 'same') },
  { name: 'mp', className: 'MaxPooling2D', inputs: ['ap1'], config: pool(3, 2, 'same') },
  { name: 'ap', className: 'AveragePooling2D', inputs: ['c1'], config: pool(3, 2, 'same') },
  { name: 'cat', className: 'Concatenate', inputs: ['mp', 'ap'], config: { axis: -1 } },
  {
    name: 'bn',
    className: 'BatchNormalization',
    inputs: ['cat'],
    config: { axis: 3, epsilon: 0.01 },
    weights: bnWeights(8),
  },
  {
    name: 'dw',
    className: 'DepthwiseConv2D',
    inputs: ['bn'],
    config: { ...same(3, 2), depth_multiplier: 2, use_bias: true },
    weights: [
      ['depthwise_kernel', [3, 3, 8, 2]],
      ['bias', [16]],
    ],
  },
  {
    name: 'bn2',
    className: 'BatchNormalization',
    inputs: ['dw'],
    config: { scale: false },
    weights: bnWeights(16, false),
  },
  { name: 'r6', className: 'ReLU', inputs: ['bn2'], config: { max_value: 0.3 } },
  {
    name: 'zp',
    className: 'ZeroPadding2D',
    inputs: ['r6'],
    config: {
      padding: [
        [2, 2],
        [1, 1],
      ],
    },
  },
  {
    name: 'c2',
    className: 'Conv2D',
    inputs: ['zp'],
    config: { filters: 16, kernel_size: [3, 2], dilation_rate: [2, 2], padding: 'valid', use_bias: false },
    weights: [['kernel', [3, 2, 16, 16]]],
  },
  { name: 'add', className: 'Add', inputs: ['c2', 'r6', 'bn2'] },
  {
    name: 'zp2',
    className: 'ZeroPadding2D',
    inputs: ['add'],
    config: {
      padding: [
        [0, 1],
        [0, 1],
      ],
    },
  },
  { name: 'mp2', className: 'MaxPooling2D', inputs: ['zp2'], config: pool(2, 2, 'valid') },
  { name: 'act', className: 'Activation', inputs: ['mp2'], config: { activation: 'relu' } },
];

const COMPARED = ['c1', 'ap1', 'mp', 'ap', 'cat', 'bn', 'bn2', 'r6', 'c2', 'add', 'zp2', 'act'];

test('strided same padding, pooling and folding match tfjs at odd and even sizes', async () => {
  const keras = syntheticModel(LAYERS, 7, ['c1/kernel']);
  const topology = parseTopology(keras.modelTopology);
  const { model, absent } = convertKeras(topology, new KerasWeights(keras.weightSpecs, keras.weightBytes), {
    lastLayer: 'act',
  });
  assert.deepStrictEqual(Object.fromEntries(absent), {
    dw: 'folded into bn2 (its BatchNormalization)',
    zp: 'zero padding folded into c2',
  });
  const autoPadded = model.graph.nodes.filter((n) => n.attributes['auto_pad']).map((n) => n.outputs[0]);
  assert.deepStrictEqual(autoPadded, ['c1/conv', 'mp', 'ap', 'bn2']);
  for (const [height, width] of [
    [9, 11],
    [10, 10],
    [13, 12],
    [16, 16],
  ] as const) {
    const pixels = testPixels(height, width, height + width);
    const expected = await runTfjsReference(
      keras.modelTopology,
      keras.weightSpecs,
      keras.weightBytes,
      COMPARED,
      pixels,
      height,
      width,
    );
    const actual = await runOrt(model, COMPARED, pixels, height, width);
    COMPARED.forEach((layer, i) => assertClose(actual[i]!, expected[i]!, 1e-5, `${layer} at ${height}x${width}`));
  }
});

test('only the layers the last layer depends on are converted', () => {
  const keras = syntheticModel(LAYERS);
  const { model, layers } = convertKeras(
    parseTopology(keras.modelTopology),
    new KerasWeights(keras.weightSpecs, keras.weightBytes),
    {
      lastLayer: 'ap',
    },
  );
  assert.deepStrictEqual(
    layers.map((l) => l.name),
    ['input', 'c1', 'ap'],
  );
  assert.deepStrictEqual(
    model.graph.nodes.map((n) => n.outputs[0]).filter((t) => !t!.includes('/')),
    ['input', 'c1', 'ap'],
  );
  assert.deepStrictEqual(model.graph.outputs, [{ name: 'ap', dataType: 'float32', shape: [1, 4, '', ''] }]);
  assert.deepStrictEqual([...model.graph.initializers.keys()].sort(), [
    'c1/bias',
    'c1/kernel',
    'pixel_scale',
    'pixel_shift',
  ]);
});

function convertWith(extra: SyntheticLayer): () => unknown {
  const keras = syntheticModel([LAYERS[0]!, extra]);
  return () =>
    convertKeras(parseTopology(keras.modelTopology), new KerasWeights(keras.weightSpecs, keras.weightBytes), {
      lastLayer: extra.name,
    });
}

test('unsupported layers, activations and options fail naming the layer and class', () => {
  assert.throws(
    convertWith({ name: 'f', className: 'Flatten', inputs: ['c1'] }),
    /^Error: Keras layer f \(Flatten\): layer type is not supported/,
  );
  assert.throws(
    convertWith({ name: 'p', className: 'PReLU', inputs: ['c1'] }),
    /^Error: Keras layer p \(PReLU\): layer type is not supported/,
  );
  assert.throws(
    convertWith({ name: 'a', className: 'Activation', inputs: ['c1'], config: { activation: 'elu' } }),
    /^Error: Keras layer a \(Activation\): activation elu is not supported \(supported: relu, linear\)$/,
  );
  assert.throws(
    convertWith({ name: 'l', className: 'ReLU', inputs: ['c1'], config: { negative_slope: 0.1 } }),
    /^Error: Keras layer l \(ReLU\): negative_slope and threshold must be 0$/,
  );
  assert.throws(
    convertWith({
      name: 'm',
      className: 'MaxPooling2D',
      inputs: ['c1'],
      config: { ...pool(2, 2, 'valid'), data_format: 'channels_first' },
    }),
    /^Error: Keras layer m \(MaxPooling2D\): only channels_last data is supported$/,
  );
  // The same helper with a supported layer converts: the failures above come from the layers.
  assert.doesNotThrow(convertWith({ name: 'r', className: 'ReLU', inputs: ['c1'] }));
});

test('an unknown last layer and mismatched weights are reported', () => {
  const keras = syntheticModel(LAYERS.slice(0, 1));
  const topology = parseTopology(keras.modelTopology);
  const weights = new KerasWeights(keras.weightSpecs, keras.weightBytes);
  assert.throws(
    () => convertKeras(topology, weights, { lastLayer: 'mixed9' }),
    /^Error: Keras topology: no layer named mixed9$/,
  );
  const wrong = syntheticModel([
    {
      ...LAYERS[0]!,
      weights: [
        ['kernel', [3, 3, 3, 5]],
        ['bias', [4]],
      ],
    },
  ]);
  assert.throws(
    () =>
      convertKeras(parseTopology(wrong.modelTopology), new KerasWeights(wrong.weightSpecs, wrong.weightBytes), {
        lastLayer: 'c1',
      }),
    /^Error: Keras layer c1 \(Conv2D\): kernel has shape \[3,3,3,5\], expected \[3,3,3,4\]$/,
  );
});
