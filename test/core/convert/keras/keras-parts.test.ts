/** Unit tests of the Keras converter's parts: padding rules, weight decoding, topology parsing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onnxPadding, windowOf, windowOutputSize, zeroPadding } from '../../../../src/core/convert/keras/spatial.js';
import { ancestorsOf, parseTopology } from '../../../../src/core/convert/keras/topology.js';
import { KerasWeights } from '../../../../src/core/convert/keras/weights.js';
import { syntheticModel } from './synthetic-keras.js';

function layerWith(className: string, config: Record<string, unknown>) {
  const keras = syntheticModel([{ name: 'l', className, inputs: ['input'], config }]);
  return parseTopology(keras.modelTopology).byName.get('l')!;
}

test("stride-1 'same' windows get explicit pads, the odd one at the bottom/right", () => {
  const window = (kernel: number[], dilation = [1, 1]) =>
    windowOf(
      layerWith('Conv2D', {
        kernel_size: kernel,
        strides: [1, 1],
        dilation_rate: dilation,
        padding: 'same',
        filters: 1,
      }),
    );
  // [top, bottom, left, right]
  assert.deepStrictEqual(onnxPadding(window([3, 3])), { pads: [1, 1, 1, 1] });
  assert.deepStrictEqual(onnxPadding(window([1, 7])), { pads: [0, 0, 3, 3] });
  assert.deepStrictEqual(onnxPadding(window([2, 4])), { pads: [0, 1, 1, 2] });
  assert.deepStrictEqual(onnxPadding(window([3, 2], [2, 3])), { pads: [2, 2, 1, 2] });
  assert.deepStrictEqual(onnxPadding(window([3, 3]), [0, 1, 2, 3]), { pads: [1, 2, 3, 4] });
  assert.deepStrictEqual(windowOutputSize(window([5, 5]), [7, 4]), [7, 4]);
});

test("strided 'same' windows use SAME_UPPER and valid windows shrink", () => {
  const strided = windowOf(layerWith('MaxPooling2D', { pool_size: [3, 3], strides: [2, 2], padding: 'same' }));
  assert.deepStrictEqual(onnxPadding(strided), { autoPad: 'SAME_UPPER' });
  assert.deepStrictEqual(windowOutputSize(strided, [83, 90]), [42, 45]);
  assert.throws(() => onnxPadding(strided, [1, 0, 0, 0]), /cannot be folded/);
  // Keras pooling strides default to the pool size.
  const valid = windowOf(layerWith('AveragePooling2D', { pool_size: [3, 3], padding: 'valid' }));
  assert.deepStrictEqual(valid.strides, [3, 3]);
  assert.deepStrictEqual(onnxPadding(valid), { pads: [0, 0, 0, 0] });
  assert.deepStrictEqual(windowOutputSize(valid, [83, 8]), [27, 2]);
});

test('ZeroPadding2D accepts every Keras padding form', () => {
  assert.deepStrictEqual(zeroPadding(layerWith('ZeroPadding2D', { padding: 2 })), [2, 2, 2, 2]);
  assert.deepStrictEqual(zeroPadding(layerWith('ZeroPadding2D', { padding: [1, 3] })), [1, 1, 3, 3]);
  assert.deepStrictEqual(
    zeroPadding(
      layerWith('ZeroPadding2D', {
        padding: [
          [0, 1],
          [2, 3],
        ],
      }),
    ),
    [0, 1, 2, 3],
  );
  assert.throws(
    () =>
      zeroPadding(
        layerWith('ZeroPadding2D', {
          padding: [
            [0, -1],
            [2, 3],
          ],
        }),
      ),
    /Keras layer l \(ZeroPadding2D\): padding/,
  );
});

test('quantized weights dequantize as min + scale * q, in manifest order', () => {
  const bytes = new Uint8Array([0, 1, 255, /* b: uint16 LE */ 2, 0, 0, 1, /* c: float32 */ 0, 0, 0x80, 0x3f]);
  const weights = new KerasWeights(
    [
      { name: 'a', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
      { name: 'b', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', min: 0, scale: 0.25 } },
      { name: 'c', shape: [1, 1], dtype: 'float32' },
    ],
    bytes,
  );
  assert.deepStrictEqual([...weights.get('a').data], [-1, -0.5, 126.5]);
  assert.deepStrictEqual([...weights.get('b').data], [0.5, 64]);
  assert.deepStrictEqual(weights.get('c'), { dataType: 'float32', dims: [1, 1], data: new Float32Array([1]) });
  assert.throws(() => weights.get('d'), /^Error: weights: no weight named d$/);
});

test('weight data of the wrong length or type is refused', () => {
  const spec = { name: 'a', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } };
  assert.throws(
    () => new KerasWeights([spec], new Uint8Array(3), 'model x'),
    /^Error: model x: weight data is 3 bytes but the manifest describes 4 \(truncated or corrupt files\)$/,
  );
  assert.throws(
    () => new KerasWeights([{ ...spec, quantization: { dtype: 'float16' } }], new Uint8Array(8)),
    /uses float16 quantization; only uint8 and uint16 are supported/,
  );
  assert.throws(() => new KerasWeights([{ ...spec, dtype: 'int32' }], new Uint8Array(16)), /has dtype int32/);
});

test('topologies with shared layers, cycles or odd inputs are refused', () => {
  const keras = syntheticModel([
    { name: 'a', className: 'ReLU', inputs: ['input'] },
    { name: 'b', className: 'Add', inputs: ['a', 'input'] },
  ]);
  const topology = parseTopology(keras.modelTopology);
  assert.deepStrictEqual(
    ancestorsOf(topology, ['b', 'a']).map((l) => l.name),
    ['input', 'a', 'b'],
  );
  const raw = keras.modelTopology as { model_config: { config: { layers: { inbound_nodes: unknown[] }[] } } };
  const layers = raw.model_config.config.layers;
  const withNodes = (nodes: unknown[]) => {
    const copy = structuredClone(raw);
    copy.model_config.config.layers[1]!.inbound_nodes = nodes;
    return copy;
  };
  assert.throws(
    () => parseTopology(withNodes([layers[1]!.inbound_nodes[0], layers[1]!.inbound_nodes[0]])),
    /applied more than once/,
  );
  assert.throws(() => parseTopology(withNodes([[['missing', 0, 0, {}]]])), /input missing is not a layer of the model/);
  assert.throws(() => ancestorsOf(parseTopology(withNodes([[['b', 0, 0, {}]]])), ['b']), /cycle through layer/);
  assert.throws(
    () => parseTopology({ model_config: { class_name: 'Sequential', config: {} } }),
    /only functional models/,
  );
});
