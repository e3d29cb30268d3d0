/**
 * Which ops ORT CPU runs in float64: float64 finite-difference checks of gradient rules rely on
 * it. If an ORT upgrade changes this, these fail first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { emptyGraph, int, ints, type Attribute } from '../../../src/core/onnx/ir.js';
import { createOrtSession } from '../../../src/node/runtime/ort.js';

interface OneOp {
  op: string;
  inputs: number[][];
  attrs?: Record<string, Attribute>;
  /** Shape of the single output. */
  out: number[];
}

const values = (n: number, seed: number) => Float64Array.from({ length: n }, (_, k) => Math.sin(3 * k + seed) / 3);
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

async function runDouble({ op, inputs, attrs = {}, out }: OneOp): Promise<{ x: Float64Array[]; y: Float64Array }> {
  const graph = emptyGraph(op);
  const names = inputs.map((shape, i) => {
    graph.inputs.push({ name: `x${i}`, dataType: 'float64', shape });
    return `x${i}`;
  });
  graph.nodes.push({ opType: op, name: op, inputs: names, outputs: ['y'], attributes: attrs });
  graph.outputs.push({ name: 'y', dataType: 'float64', shape: out });
  const session = await createOrtSession(
    encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} }),
    { threads: 1 },
  );
  try {
    const x = inputs.map((shape, i) => values(size(shape), i + 1));
    const feeds = Object.fromEntries(x.map((data, i) => [`x${i}`, new ort.Tensor('float64', data, inputs[i]!)]));
    return { x, y: (await session.run(feeds)).y!.data as Float64Array };
  } finally {
    await session.release();
  }
}

function assertClose(actual: Float64Array, expected: number[], tolerance = 1e-15) {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tolerance, `element ${i}: ${v} vs ${expected[i]}`));
}

test('elementwise, activation and reduction ops compute in float64', async () => {
  const add = await runDouble({ op: 'Add', inputs: [[2, 3], [3]], out: [2, 3] });
  assertClose(
    add.y,
    [...add.x[0]!].map((v, i) => v + add.x[1]![i % 3]!),
    0,
  );
  const mul = await runDouble({ op: 'Mul', inputs: [[6], [6]], out: [6] });
  assertClose(
    mul.y,
    [...mul.x[0]!].map((v, i) => v * mul.x[1]![i]!),
    0,
  );
  const relu = await runDouble({ op: 'Relu', inputs: [[8]], out: [8] });
  assertClose(
    relu.y,
    [...relu.x[0]!].map((v) => Math.max(0, v)),
    0,
  );
  const sigmoid = await runDouble({ op: 'Sigmoid', inputs: [[8]], out: [8] });
  assertClose(
    sigmoid.y,
    [...sigmoid.x[0]!].map((v) => 1 / (1 + Math.exp(-v))),
    2e-16,
  );
  const mean = await runDouble({
    op: 'ReduceMean',
    inputs: [[2, 4]],
    attrs: { axes: ints([1]), keepdims: int(0) },
    out: [2],
  });
  assertClose(
    mean.y,
    [0, 1].map((r) => mean.x[0]!.slice(4 * r, 4 * r + 4).reduce((a, b) => a + b) / 4),
  );
});

test('MatMul, Gemm and MaxPool compute in float64', async () => {
  const mm = await runDouble({
    op: 'MatMul',
    inputs: [
      [2, 3],
      [3, 2],
    ],
    out: [2, 2],
  });
  const [a, b] = mm.x as [Float64Array, Float64Array];
  const product = [0, 1, 2, 3].map((k) => {
    const [i, j] = [Math.floor(k / 2), k % 2];
    return a[3 * i]! * b[j]! + a[3 * i + 1]! * b[2 + j]! + a[3 * i + 2]! * b[4 + j]!;
  });
  assertClose(mm.y, product);
  const gemm = await runDouble({
    op: 'Gemm',
    inputs: [
      [2, 3],
      [3, 2],
    ],
    out: [2, 2],
  });
  assertClose(gemm.y, product);
  const pool = await runDouble({
    op: 'MaxPool',
    inputs: [[1, 1, 6]],
    attrs: { kernel_shape: ints([2]) },
    out: [1, 1, 5],
  });
  assertClose(
    pool.y,
    [0, 1, 2, 3, 4].map((i) => Math.max(pool.x[0]![i]!, pool.x[0]![i + 1]!)),
    0,
  );
});

test('Conv, ConvTranspose, AveragePool and GlobalAveragePool have no float64 kernel', async () => {
  const cases: OneOp[] = [
    {
      op: 'Conv',
      inputs: [
        [1, 1, 3, 3],
        [1, 1, 2, 2],
      ],
      out: [1, 1, 2, 2],
    },
    {
      op: 'ConvTranspose',
      inputs: [
        [1, 1, 3, 3],
        [1, 1, 2, 2],
      ],
      out: [1, 1, 4, 4],
    },
    { op: 'AveragePool', inputs: [[1, 1, 3, 3]], attrs: { kernel_shape: ints([2, 2]) }, out: [1, 1, 2, 2] },
    { op: 'GlobalAveragePool', inputs: [[1, 1, 3, 3]], out: [1, 1, 1, 1] },
  ];
  for (const c of cases) {
    await assert.rejects(runDouble(c), new RegExp(`Could not find an implementation for ${c.op}`), c.op);
  }
});
