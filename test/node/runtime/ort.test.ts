import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { emptyGraph, floatTensor, GraphBuilder, int, ints, type Graph } from '../../../src/core/onnx/ir.js';
import { createOrtSession, fetchFloat32, float32Feed, nodeRuntime } from '../../../src/node/runtime/ort.js';

/** y = mean over channels of relu(conv1x1(x) + b) * 2, on a 1x2x2x2 input. */
function smallGraph(): Graph {
  const graph = emptyGraph('small');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1, 2, 2, 2] });
  const b = new GraphBuilder(graph);
  // Two output channels: c0 = x0 - x1, c1 = x0 + x1.
  const w = b.constant('w', floatTensor([2, 2, 1, 1], [1, -1, 1, 1]));
  const bias = b.constant('bias', floatTensor([2], [0, -1]));
  const conv = b.add('Conv', ['x', w, bias], { kernel_shape: ints([1, 1]) });
  const relu = b.add('Relu', [conv]);
  const two = b.constant('two', floatTensor([], [2]));
  const scaled = b.add('Mul', [relu, two]);
  const mean = b.add('ReduceMean', [scaled], { axes: ints([1]), keepdims: int(0) });
  graph.outputs.push({ name: mean, dataType: 'float32', shape: [1, 2, 2] });
  return graph;
}

test('a conv/relu/mul/reduce graph runs in ORT with the expected values', async () => {
  const graph = smallGraph();
  const session = await createOrtSession(
    encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} }),
  );
  // x0 = [1, 2, 3, 4], x1 = [2, 0, -5, 1]
  const x = new Float32Array([1, 2, 3, 4, 2, 0, -5, 1]);
  const out = fetchFloat32(await session.run({ x: float32Feed([1, 2, 2, 2], x) }), graph.outputs[0]!.name);
  // c0 = relu(x0 - x1) = [0, 2, 8, 3]; c1 = relu(x0 + x1 - 1) = [2, 1, 0, 4]; y = (2*c0 + 2*c1) / 2 = c0 + c1.
  assert.deepStrictEqual(out.dims, [1, 2, 2]);
  assert.deepStrictEqual([...out.data], [2, 3, 8, 7]);
  await session.release();
});

test('fetchFloat32 names the outputs a run has when asked for a missing one', async () => {
  const graph = smallGraph();
  const session = await createOrtSession(
    encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} }),
  );
  const results = await session.run({ x: float32Feed([1, 2, 2, 2], new Float32Array(8)) });
  assert.throws(() => fetchFloat32(results, 'nope'), /ORT run has no output nope \(outputs: ReduceMean_out\)/);
  await session.release();
});

test('profiling and optimized-model options write their files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ort-test-'));
  try {
    const graph = smallGraph();
    const bytes = encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} });
    const session = await createOrtSession(bytes, {
      threads: 1,
      profileFile: join(dir, 'profile'),
      optimizedModelPath: join(dir, 'optimized.onnx'),
    });
    await session.run({ x: float32Feed([1, 2, 2, 2], new Float32Array(8)) });
    session.endProfiling();
    await session.release();
    const files = readdirSync(dir);
    assert.ok(files.includes('optimized.onnx'), files.join(','));
    assert.ok(
      files.some((f) => /^profile_.*\.json$/.test(f)),
      files.join(','),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Node runtime feeds float32 and int64 tensors and returns outputs by name', async () => {
  const graph = emptyGraph('gather');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [2, 3] });
  graph.inputs.push({ name: 'columns', dataType: 'int64', shape: [2] });
  const b = new GraphBuilder(graph);
  const picked = b.add('Gather', ['x', 'columns'], { axis: int(1) });
  const best = b.add('ArgMax', ['x'], { axis: int(1), keepdims: int(0) });
  const positive = b.add('Cast', [b.add('Relu', ['x'])], { to: int(9) });
  graph.outputs.push(
    { name: picked, dataType: 'float32', shape: [2, 2] },
    { name: best, dataType: 'int64', shape: [2] },
  );
  const session = await nodeRuntime.createSession(
    encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} }),
    { threads: 1 },
  );
  const x = { dims: [2, 3], data: Float32Array.of(1, 5, 2, 7, -1, 3) };
  const outputs = await session.run({ x, columns: { dims: [2], data: BigInt64Array.of(2n, 0n) } });
  assert.deepStrictEqual(outputs, {
    [picked]: { dims: [2, 2], data: Float32Array.of(2, 1, 3, 7) },
    [best]: { dims: [2], data: BigInt64Array.of(1n, 0n) },
  });
  await session.release();

  graph.outputs.push({ name: positive, dataType: 'bool', shape: [2, 3] });
  const withBool = await nodeRuntime.createSession(
    encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} }),
  );
  await assert.rejects(withBool.run({ x, columns: { dims: [2], data: BigInt64Array.of(0n, 1n) } }), {
    message: `ORT output ${positive} is bool; the engine reads float32 and int64 outputs only`,
  });
  await withBool.release();
});
