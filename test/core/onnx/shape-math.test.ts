import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { emptyGraph, floatTensor, GraphBuilder, ints, str, type Attribute } from '../../../src/core/onnx/ir.js';
import { createOrtSession, fetchFloat32, float32Feed } from '../../../src/node/runtime/ort.js';
import {
  broadcastShapes,
  normalizeAxis,
  samePadding,
  sliceRange,
  type AutoPad,
} from '../../../src/core/onnx/shape-math.js';

/** Runs one Conv over a fixed input/weight pair and returns its output values. */
async function conv(size: number, kernel: number, attrs: Record<string, Attribute>): Promise<number[]> {
  const graph = emptyGraph('conv');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1, 1, size, size] });
  const b = new GraphBuilder(graph);
  const w = b.constant(
    'w',
    floatTensor(
      [1, 1, kernel, kernel],
      Float32Array.from({ length: kernel * kernel }, (_, i) => i + 1),
    ),
  );
  const y = b.add('Conv', ['x', w], attrs);
  graph.outputs.push({ name: y, dataType: 'float32', shape: ['a', 'b', 'c', 'd'] });
  const session = await createOrtSession(
    encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} }),
    { threads: 1 },
  );
  try {
    const x = Float32Array.from({ length: size * size }, (_, i) => (i * 37) % 11);
    return [...fetchFloat32(await session.run({ x: float32Feed([1, 1, size, size], x) }), y).data];
  } finally {
    await session.release();
  }
}

test('samePadding reproduces auto_pad SAME_UPPER / SAME_LOWER exactly (ORT)', async () => {
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER'] as AutoPad[]) {
    for (const [size, kernel, stride, dilation] of [
      [9, 3, 2, 1],
      [8, 3, 2, 1],
      [7, 4, 1, 1],
      [10, 4, 3, 1],
    ] as const) {
      const common = { strides: ints([stride, stride]), dilations: ints([dilation, dilation]) };
      const [begin, end] = samePadding(size, kernel, stride, dilation, autoPad);
      const explicit = await conv(size, kernel, { ...common, pads: ints([begin, begin, end, end]) });
      const auto = await conv(size, kernel, { ...common, auto_pad: str(autoPad) });
      assert.deepStrictEqual(
        explicit,
        auto,
        `${autoPad} size ${size} kernel ${kernel} stride ${stride} dilation ${dilation}`,
      );
    }
  }
});

test('samePadding puts the odd pixel at the end for SAME_UPPER (TF/Keras "same")', () => {
  // ORT rejects auto_pad SAME with dilation, so dilated 'same' convs need these explicit pads.
  assert.deepStrictEqual(samePadding(9, 3, 1, 2, 'SAME_UPPER'), [2, 2]);
  assert.deepStrictEqual(samePadding(10, 3, 2, 2, 'SAME_UPPER'), [1, 2]);
  assert.deepStrictEqual(samePadding(224, 3, 2, 1, 'SAME_UPPER'), [0, 1]);
  assert.deepStrictEqual(samePadding(224, 3, 2, 1, 'SAME_LOWER'), [1, 0]);
  assert.deepStrictEqual(samePadding(5, 1, 1, 1, 'SAME_UPPER'), [0, 0]);
});

test('sliceRange clamps like ONNX Slice', () => {
  assert.deepStrictEqual(sliceRange(10, 2, 2 ** 63, 1), { start: 2, count: 8 });
  assert.deepStrictEqual(sliceRange(10, -1, -(2 ** 63), -1), { start: 9, count: 10 });
  assert.deepStrictEqual(sliceRange(10, 8, 1, -3), { start: 8, count: 3 });
  assert.deepStrictEqual(sliceRange(10, 5, 2, 1), { start: 5, count: 0 });
  assert.throws(() => sliceRange(10, 0, 1, 0), /step cannot be 0/);
});

test('broadcastShapes and normalizeAxis', () => {
  assert.deepStrictEqual(broadcastShapes([[2, 1, 4], [3, 1], []]), [2, 3, 4]);
  assert.deepStrictEqual(
    broadcastShapes([
      ['N', 1],
      [1, 5],
    ]),
    ['N', 5],
  );
  assert.throws(() => broadcastShapes([[2], [3]]), /shapes \[2\] and \[3\] do not broadcast/);
  assert.equal(normalizeAxis(-1, 4, 'Softmax'), 3);
  assert.throws(() => normalizeAxis(4, 4, 'Softmax'), /Softmax: axis 4 is out of range for rank 4/);
});
