import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { emptyGraph, floatTensor, GraphBuilder, ints, type Graph } from '../../../src/core/onnx/ir.js';
import { createOrtSession, fetchFloat32, float32Feed } from '../../../src/node/runtime/ort.js';
import { ancestorNodes, ancestorsGraph, pruneGraph, topologicalSort } from '../../../src/core/onnx/prune.js';
import { inferShapes } from '../../../src/core/onnx/shapes.js';

/** x -> Conv(w) -> Relu -> MaxPool -> y, plus a side branch from a second input and an unused weight. */
function branchyGraph() {
  const graph = emptyGraph('branchy');
  graph.inputs.push(
    { name: 'x', dataType: 'float32', shape: [1, 1, 4, 4] },
    { name: 'other', dataType: 'float32', shape: [2] },
  );
  const b = new GraphBuilder(graph);
  const w = b.constant('w', floatTensor([1, 1, 1, 1], [-2]));
  b.constant('unused', floatTensor([3], [1, 2, 3]));
  const conv = b.add('Conv', ['x', w, '']);
  const relu = b.add('Relu', [conv]);
  const pool = b.add('MaxPool', [relu], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
  const side = b.add('Sigmoid', ['other']);
  graph.outputs.push(
    { name: pool, dataType: 'float32', shape: [1, 1, 2, 2] },
    { name: side, dataType: 'float32', shape: [2] },
  );
  return { graph, conv, relu, pool, side };
}

async function runOne(graph: Graph, x: Float32Array) {
  const session = await createOrtSession(
    encodeModel({ graph, opsetVersion: 17, irVersion: 8, producerName: 't', metadata: {} }),
    { threads: 1 },
  );
  try {
    return fetchFloat32(await session.run({ x: float32Feed([1, 1, 4, 4], x) }), graph.outputs[0]!.name);
  } finally {
    await session.release();
  }
}

test('pruning at an intermediate value keeps only what it needs, and runs', async () => {
  const { graph, conv, relu } = branchyGraph();
  const pruned = pruneGraph(graph, [relu]);
  assert.deepStrictEqual(
    pruned.nodes.map((n) => n.opType),
    ['Conv', 'Relu'],
  );
  assert.deepStrictEqual([...pruned.initializers.keys()], ['w']);
  assert.deepStrictEqual(
    pruned.inputs.map((i) => i.name),
    ['x'],
  );
  // No value_info was present, so the output's type and shape were inferred.
  assert.deepStrictEqual(pruned.outputs, [{ name: relu, dataType: 'float32', shape: [1, 1, 4, 4] }]);
  assert.equal(graph.nodes.length, 4, 'the original graph is untouched');
  assert.ok(!graph.valueInfo.has(conv));

  const x = Float32Array.from({ length: 16 }, (_, i) => i - 8);
  const out = await runOne(pruned, x);
  assert.deepStrictEqual(
    [...out.data],
    [...x].map((v) => Math.max(0, -2 * v)),
  );
});

test('pruning uses value_info and declared outputs, and keeps several outputs', () => {
  const { graph, conv, pool } = branchyGraph();
  inferShapes(graph);
  graph.valueInfo.set(conv, { name: conv, dataType: 'float32', shape: ['n', 1, 4, 4] });
  const pruned = pruneGraph(graph, [pool, conv]);
  assert.deepStrictEqual(pruned.outputs, [
    { name: pool, dataType: 'float32', shape: [1, 1, 2, 2] },
    { name: conv, dataType: 'float32', shape: ['n', 1, 4, 4] },
  ]);
  assert.deepStrictEqual(
    pruned.nodes.map((n) => n.opType),
    ['Conv', 'Relu', 'MaxPool'],
  );
  assert.deepStrictEqual([...pruned.valueInfo.keys()].sort(), ['Conv_out', 'MaxPool_out', 'Relu_out']);
});

test('ancestorsGraph keeps what the targets need, in graph order, without outputs', () => {
  const { graph, relu, side } = branchyGraph();
  assert.deepStrictEqual(
    ancestorNodes(graph, [side, relu]).map((n) => n.opType),
    ['Conv', 'Relu', 'Sigmoid'],
  );
  const trunk = ancestorsGraph(graph, [relu]);
  assert.deepStrictEqual(
    trunk.nodes.map((n) => n.opType),
    ['Conv', 'Relu'],
  );
  assert.deepStrictEqual(
    trunk.inputs.map((i) => i.name),
    ['x'],
  );
  assert.deepStrictEqual([...trunk.initializers.keys()], ['w']);
  assert.deepStrictEqual(trunk.outputs, []);
});

test('pruning to an unknown value fails clearly', () => {
  const { graph } = branchyGraph();
  assert.throws(() => pruneGraph(graph, ['mixed9']), { message: 'pruneGraph: graph has no value mixed9' });
  assert.throws(() => pruneGraph(graph, []), /no outputs requested/);
});

test('topologicalSort restores a valid order that ORT accepts', async () => {
  const { graph, pool } = branchyGraph();
  const sorted = graph.nodes.map((n) => n.name);
  graph.nodes.reverse();
  topologicalSort(graph);
  const position = new Map(graph.nodes.map((n, i) => [n.name, i]));
  const conv = graph.nodes.find((n) => n.opType === 'Conv')!;
  const relu = graph.nodes.find((n) => n.opType === 'Relu')!;
  const maxPool = graph.nodes.find((n) => n.opType === 'MaxPool')!;
  assert.ok(
    position.get(conv.name)! < position.get(relu.name)! && position.get(relu.name)! < position.get(maxPool.name)!,
  );
  graph.outputs = graph.outputs.filter((o) => o.name === pool);
  const out = await runOne(
    pruneGraph(graph, [pool]),
    Float32Array.from({ length: 16 }, (_, i) => -i),
  );
  assert.deepStrictEqual([...out.data], [10, 14, 26, 30]);

  topologicalSort(graph);
  const again = graph.nodes.map((n) => n.name);
  topologicalSort(graph);
  assert.deepStrictEqual(
    graph.nodes.map((n) => n.name),
    again,
    'a sorted graph keeps its order',
  );
  assert.equal(new Set(again).size, sorted.length);
});

test('topologicalSort reports cycles and dangling inputs', () => {
  const graph = emptyGraph('cyclic');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1] });
  graph.nodes.push(
    { opType: 'Add', name: 'a', inputs: ['x', 'b_out'], outputs: ['a_out'], attributes: {} },
    { opType: 'Relu', name: 'b', inputs: ['a_out'], outputs: ['b_out'], attributes: {} },
  );
  assert.throws(() => topologicalSort(graph), /topologicalSort: cycle through node a/);
  graph.nodes = [{ opType: 'Relu', name: 'r', inputs: ['ghost'], outputs: ['y'], attributes: {} }];
  assert.throws(() => topologicalSort(graph), {
    message: 'topologicalSort: node r reads ghost, which nothing produces',
  });
});
