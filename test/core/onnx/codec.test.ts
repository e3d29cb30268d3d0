import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/onnx/codec.js';
import {
  emptyGraph,
  float,
  floatTensor,
  GraphBuilder,
  int,
  int64Tensor,
  ints,
  str,
  type Model,
} from '../../../src/core/onnx/ir.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

function sampleModel(): Model {
  const graph = emptyGraph('sample');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: ['batch', 3, 8, 8] });
  const b = new GraphBuilder(graph);
  const w = b.constant(
    'w',
    floatTensor(
      [4, 3, 3, 3],
      Float32Array.from({ length: 108 }, (_, i) => i / 7 - 3),
    ),
  );
  const conv = b.add('Conv', ['x', w, ''], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), group: int(1) });
  const relu = b.add('LeakyRelu', [conv], { alpha: float(0.125) });
  const starts = b.constant('starts', int64Tensor([1], [0]));
  const ends = b.constant('ends', int64Tensor([1], [Number.MAX_SAFE_INTEGER]));
  const sliced = b.add('Slice', [relu, starts, ends], {});
  const resized = b.add(
    'Resize',
    [sliced, '', b.constant('scales', { dataType: 'float32', dims: [4], data: new Float32Array([1, 1, 2, 2]) })],
    {
      mode: str('linear'),
    },
  );
  const table = b.constant('table', { dataType: 'float64', dims: [2], data: new Float64Array([0.1, -1e300]) });
  const mask = b.constant('mask', { dataType: 'bool', dims: [2, 1], data: new Uint8Array([1, 0]) });
  const idx = b.constant('idx', { dataType: 'int32', dims: [], data: new Int32Array([-3]) });
  const bytes = b.constant('bytes', { dataType: 'uint8', dims: [0], data: new Uint8Array(0) });
  graph.nodes.push({
    opType: 'Custom',
    name: 'custom',
    domain: 'com.example',
    inputs: [resized, table, mask, idx, bytes],
    outputs: ['y'],
    attributes: {
      floats: { type: 'floats', value: [0.5, -2.25] },
      strings: { type: 'strings', value: ['a', 'ünïcode'] },
      tensor: { type: 'tensor', value: int64Tensor([2], [-1, 2 ** 40]) },
      big: { type: 'int', value: -(2 ** 50) },
    },
  });
  graph.outputs.push({ name: 'y', dataType: 'float32', shape: ['batch', 4, 16, ''] });
  graph.valueInfo.set(conv, { name: conv, dataType: 'float32', shape: ['batch', 4, 8, 8] });
  return {
    graph,
    opsetVersion: 17,
    irVersion: 8,
    producerName: 'inceptionism-test',
    metadata: { model: 'x', 'pre.mean': '0.5' },
  };
}

test('encode then decode gives back the same IR', () => {
  const model = sampleModel();
  assert.deepStrictEqual(decodeModel(encodeModel(model)), model);
});

test('encoding is stable: decode then encode reproduces the bytes', () => {
  const bytes = encodeModel(sampleModel());
  assert.deepStrictEqual(encodeModel(decodeModel(bytes)), bytes);
});

test('INT64_MAX sentinels survive a round trip as the largest int64', () => {
  const model = sampleModel();
  model.graph.nodes[0]!.attributes.end = int(2 ** 63);
  const back = decodeModel(encodeModel(model));
  // 2^63-1 is not a double; it reads back as 2^63 and writes back as 2^63-1 again.
  assert.equal(back.graph.nodes[0]!.attributes.end!.value, 2 ** 63);
  assert.deepStrictEqual(encodeModel(back), encodeModel(model));
});

test('reads tensors stored in typed fields, symbolic dims, value_info and metadata (onnx-made fixture)', () => {
  const model = decodeModel(fixture('typed-fields.onnx'));
  const init = model.graph.initializers;
  assert.deepStrictEqual(init.get('f32'), { dataType: 'float32', dims: [3], data: new Float32Array([1.5, -2, 0.25]) });
  assert.deepStrictEqual(init.get('f64'), { dataType: 'float64', dims: [2], data: new Float64Array([0.1, -3]) });
  assert.deepStrictEqual(init.get('i64'), {
    dataType: 'int64',
    dims: [2],
    data: new BigInt64Array([-7n, 2n ** 63n - 1n]),
  });
  assert.deepStrictEqual(init.get('i32'), { dataType: 'int32', dims: [2], data: new Int32Array([-5, 6]) });
  assert.deepStrictEqual(init.get('u8'), { dataType: 'uint8', dims: [2], data: new Uint8Array([0, 255]) });
  assert.deepStrictEqual(init.get('b'), { dataType: 'bool', dims: [2], data: new Uint8Array([1, 0]) });
  assert.deepStrictEqual(model.graph.inputs, [{ name: 'x', dataType: 'float32', shape: ['N', 3] }]);
  assert.deepStrictEqual(model.graph.valueInfo.get('y'), { name: 'y', dataType: 'float32', shape: ['N', 3] });
  assert.deepStrictEqual(model.metadata, { purpose: 'typed fields' });
  assert.equal(model.opsetVersion, 13);
  assert.equal(model.producerName, 'fixture');
  assert.equal(model.graph.nodes[0]!.name, 'add');
});

test('writes initializers as little-endian raw_data', () => {
  const graph = emptyGraph('g');
  graph.initializers.set('w', floatTensor([1], [1]));
  const bytes = encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: '', metadata: {} });
  // float32 1.0 = 0x3f800000, stored low byte first.
  assert.ok(Buffer.from(bytes).includes(Buffer.from([0x00, 0x00, 0x80, 0x3f])));
});

test('rejects external tensor data with a clear error', () => {
  assert.throws(() => decodeModel(fixture('external-data.onnx')), /tensor w: external data files are not supported/);
});

test('rejects bytes that are not an ONNX model', () => {
  for (const bytes of [
    Buffer.from('definitely not a model'),
    new Uint8Array(0),
    readFileSync(new URL(import.meta.url)),
  ]) {
    assert.throws(
      () => decodeModel(bytes),
      (err: Error) => /^not an ONNX model: /.test(err.message) && !err.message.includes('\n'),
    );
  }
});
