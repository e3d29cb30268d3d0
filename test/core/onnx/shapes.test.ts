/**
 * Shape inference checked against ONNX Runtime: each case is a one-node graph (or a tiny chain)
 * whose inferred output shapes and types must equal what ORT's CPU kernels actually return.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel } from '../../../src/core/onnx/codec.js';
import {
  emptyGraph,
  float,
  floatTensor,
  int,
  int64Tensor,
  ints,
  str,
  type Attribute,
  type DataType,
  type Graph,
  type Tensor,
} from '../../../src/core/onnx/ir.js';
import { createOrtSession } from '../../../src/node/runtime/ort.js';
import {
  inferShapes,
  inferShapesWhereKnown,
  setInputShape,
  shapeOf,
  withInputShape,
} from '../../../src/core/onnx/shapes.js';

/** A graph input fed at run time (shape) or an initializer (tensor). */
type Operand = number[] | { type: DataType; shape: number[] } | Tensor | '';

interface Case {
  name: string;
  op: string;
  inputs: Operand[];
  attrs?: Record<string, Attribute>;
  outputs?: number;
  opset?: number;
}

const i64 = (values: number[]) => int64Tensor([values.length], values);
const f32 = (values: number[]) => floatTensor([values.length], values);
const bool = (shape: number[]) => ({ type: 'bool' as const, shape });

const CASES: Case[] = [
  // Convolutions
  {
    name: 'Conv 3x3 pad 1',
    op: 'Conv',
    inputs: [
      [1, 3, 8, 8],
      [4, 3, 3, 3],
    ],
    attrs: { pads: ints([1, 1, 1, 1]) },
  },
  {
    name: 'Conv SAME_UPPER stride 2 (asymmetric)',
    op: 'Conv',
    inputs: [
      [1, 3, 9, 10],
      [4, 3, 3, 3],
    ],
    attrs: { strides: ints([2, 2]), auto_pad: str('SAME_UPPER') },
  },
  {
    name: 'Conv SAME_LOWER stride 2 even kernel',
    op: 'Conv',
    inputs: [
      [1, 2, 7, 8],
      [3, 2, 4, 4],
    ],
    attrs: { strides: ints([2, 2]), auto_pad: str('SAME_LOWER') },
  },
  {
    name: 'Conv VALID stride 2 dilation 2',
    op: 'Conv',
    inputs: [
      [1, 2, 11, 12],
      [3, 2, 3, 3],
    ],
    attrs: { strides: ints([2, 2]), dilations: ints([2, 2]), auto_pad: str('VALID') },
  },
  {
    name: 'Conv group 2 asymmetric pads + bias',
    op: 'Conv',
    inputs: [[2, 4, 6, 7], [6, 2, 3, 2], [6]],
    attrs: { group: int(2), pads: ints([0, 1, 2, 0]), strides: ints([2, 3]) },
  },
  {
    name: 'Conv depthwise',
    op: 'Conv',
    inputs: [
      [1, 4, 5, 5],
      [4, 1, 3, 3],
    ],
    attrs: { group: int(4) },
  },
  {
    name: 'Conv 1-D',
    op: 'Conv',
    inputs: [
      [1, 2, 10],
      [3, 2, 3],
    ],
    attrs: { strides: ints([3]) },
  },
  {
    name: 'ConvTranspose stride 2 output_padding 1',
    op: 'ConvTranspose',
    inputs: [
      [1, 2, 5, 5],
      [2, 3, 3, 3],
    ],
    attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) },
  },
  {
    name: 'ConvTranspose output_shape',
    op: 'ConvTranspose',
    inputs: [
      [1, 2, 5, 5],
      [2, 3, 3, 3],
    ],
    attrs: { strides: ints([2, 2]), output_shape: ints([10, 9]) },
  },
  {
    name: 'ConvTranspose SAME_UPPER stride 2',
    op: 'ConvTranspose',
    inputs: [
      [1, 2, 4, 5],
      [2, 3, 3, 3],
    ],
    attrs: { strides: ints([2, 2]), auto_pad: str('SAME_UPPER') },
  },
  {
    name: 'ConvTranspose SAME_LOWER stride 3, output_padding',
    op: 'ConvTranspose',
    inputs: [
      [1, 2, 4, 5],
      [2, 3, 2, 4],
    ],
    attrs: { strides: ints([3, 2]), auto_pad: str('SAME_LOWER'), output_padding: ints([1, 0]) },
  },
  {
    name: 'ConvTranspose SAME_UPPER stride 2, 1x1 kernel (the target is not reached)',
    op: 'ConvTranspose',
    inputs: [
      [1, 2, 4, 5],
      [2, 3, 1, 1],
    ],
    attrs: { strides: ints([2, 2]), auto_pad: str('SAME_UPPER') },
  },
  {
    name: 'ConvTranspose output_shape past the full size',
    op: 'ConvTranspose',
    inputs: [
      [1, 2, 4, 5],
      [2, 3, 3, 3],
    ],
    attrs: { strides: ints([3, 2]), output_shape: ints([12, 12]) },
  },
  {
    name: 'ConvTranspose output_shape with pads and SAME_UPPER',
    op: 'ConvTranspose',
    inputs: [
      [1, 2, 4, 5],
      [2, 3, 3, 3],
    ],
    attrs: { strides: ints([2, 2]), output_shape: ints([6, 8]), auto_pad: str('SAME_UPPER') },
  },
  {
    name: 'ConvTranspose group 2 dilation 2',
    op: 'ConvTranspose',
    inputs: [[1, 4, 5, 6], [4, 3, 3, 3], [6]],
    attrs: { group: int(2), dilations: ints([2, 2]), pads: ints([1, 0, 0, 2]) },
  },
  // Pooling and normalisation
  {
    name: 'MaxPool 3x3 stride 2',
    op: 'MaxPool',
    inputs: [[1, 2, 9, 9]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]) },
  },
  {
    name: 'MaxPool ceil_mode',
    op: 'MaxPool',
    inputs: [[1, 2, 8, 8]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) },
  },
  {
    name: 'MaxPool ceil_mode, last window would start in padding',
    op: 'MaxPool',
    inputs: [[1, 1, 5, 5]],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) },
  },
  {
    name: 'MaxPool with Indices',
    op: 'MaxPool',
    inputs: [[1, 2, 7, 6]],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) },
    outputs: 2,
  },
  {
    name: 'MaxPool SAME_UPPER',
    op: 'MaxPool',
    inputs: [[1, 2, 9, 10]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), auto_pad: str('SAME_UPPER') },
  },
  {
    name: 'MaxPool dilations',
    op: 'MaxPool',
    inputs: [[1, 1, 9, 9]],
    attrs: { kernel_shape: ints([2, 2]), dilations: ints([2, 2]), pads: ints([0, 1, 0, 1]) },
  },
  {
    name: 'AveragePool pads ceil_mode',
    op: 'AveragePool',
    inputs: [[1, 2, 10, 7]],
    attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) },
  },
  {
    name: 'AveragePool VALID',
    op: 'AveragePool',
    inputs: [[1, 2, 10, 7]],
    attrs: { kernel_shape: ints([3, 2]), strides: ints([2, 2]), auto_pad: str('VALID') },
  },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', inputs: [[2, 3, 5, 4]] },
  { name: 'GlobalMaxPool', op: 'GlobalMaxPool', inputs: [[2, 3, 5, 4]] },
  { name: 'LRN', op: 'LRN', inputs: [[1, 5, 3, 3]], attrs: { size: int(3) } },
  { name: 'BatchNormalization', op: 'BatchNormalization', inputs: [[2, 3, 4, 4], [3], [3], [3], f32([1, 2, 3])] },
  // Elementwise
  ...['Relu', 'Sigmoid', 'Tanh', 'Softmax', 'Identity', 'Abs', 'Neg', 'Sqrt', 'Exp', 'Log', 'Sign'].map((op) => ({
    name: op,
    op,
    inputs: [[2, 3, 4]],
  })),
  { name: 'LeakyRelu', op: 'LeakyRelu', inputs: [[2, 3]], attrs: { alpha: float(0.2) } },
  { name: 'HardSigmoid', op: 'HardSigmoid', inputs: [[2, 3, 2]], attrs: { alpha: float(0.3) } },
  { name: 'HardSwish', op: 'HardSwish', inputs: [[2, 3, 2]], opset: 14 },
  {
    name: 'Pad edge on three axes',
    op: 'Pad',
    inputs: [[1, 2, 3, 4], i64([0, 1, 2, 0, 0, 0, 1, 3])],
    attrs: { mode: str('edge') },
  },
  { name: 'Clip with min/max inputs', op: 'Clip', inputs: [[2, 3], floatTensor([], [0]), floatTensor([], [1])] },
  { name: 'Dropout with mask', op: 'Dropout', inputs: [[2, 3]], outputs: 2 },
  { name: 'Not', op: 'Not', inputs: [bool([2, 3])] },
  ...['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Greater', 'Less', 'Equal'].map((op) => ({
    name: `${op} broadcasting`,
    op,
    inputs: [
      [2, 1, 4],
      [3, 1],
    ],
  })),
  {
    name: 'Sum of three',
    op: 'Sum',
    inputs: [
      [3, 1],
      [1, 4],
      [2, 1, 1],
    ],
  },
  { name: 'Where', op: 'Where', inputs: [bool([1, 4]), [3, 1], [1]] },
  // Shape manipulation
  {
    name: 'Concat axis -1',
    op: 'Concat',
    inputs: [
      [2, 3, 1],
      [2, 3, 4],
      [2, 3, 2],
    ],
    attrs: { axis: int(-1) },
  },
  { name: 'Split equal', op: 'Split', inputs: [[2, 6]], attrs: { axis: int(1) }, outputs: 2 },
  { name: 'Split with split input', op: 'Split', inputs: [[5, 2], i64([1, 4])], outputs: 2 },
  {
    name: 'Split num_outputs uneven (opset 18)',
    op: 'Split',
    inputs: [[7, 2]],
    attrs: { num_outputs: int(3) },
    outputs: 3,
    opset: 18,
  },
  { name: 'Slice with axes', op: 'Slice', inputs: [[4, 10, 6], i64([1, -4]), i64([2 ** 62, 1000]), i64([1, 2])] },
  {
    name: 'Slice negative steps',
    op: 'Slice',
    inputs: [[4, 10, 6], i64([-1, 8]), i64([-(2 ** 62), 1]), i64([0, 1]), i64([-1, -3])],
  },
  {
    name: 'Slice steps 2 and -3, clamped',
    op: 'Slice',
    inputs: [[4, 10, 7], i64([1, 100, -1]), i64([4, -100, 0]), i64([0, 1, 2]), i64([2, -3, -2])],
  },
  { name: 'Slice without axes, empty result', op: 'Slice', inputs: [[4, 10], i64([3, 2]), i64([1, 9])] },
  { name: 'Pad pads input', op: 'Pad', inputs: [[1, 2, 3, 4], i64([0, 1, 2, 0, 1, 0, 0, 3])] },
  {
    name: 'Pad reflect',
    op: 'Pad',
    inputs: [[1, 2, 5, 5], i64([0, 0, 2, 1, 0, 0, 1, 2])],
    attrs: { mode: str('reflect') },
  },
  { name: 'Gemm transA transB', op: 'Gemm', inputs: [[3, 2], [4, 3], [4]], attrs: { transA: int(1), transB: int(1) } },
  {
    name: 'Gemm plain',
    op: 'Gemm',
    inputs: [
      [2, 3],
      [3, 5],
    ],
  },
  {
    name: 'MatMul batched x matrix',
    op: 'MatMul',
    inputs: [
      [2, 3, 4, 5],
      [5, 6],
    ],
  },
  { name: 'MatMul vector x batched', op: 'MatMul', inputs: [[5], [2, 5, 3]] },
  {
    name: 'MatMul broadcast batch',
    op: 'MatMul',
    inputs: [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
  },
  { name: 'MatMul batched x vector', op: 'MatMul', inputs: [[2, 3, 4], [4]] },
  { name: 'MatMul vector x vector', op: 'MatMul', inputs: [[4], [4]] },
  ...[0, 2, -1, 4].map((axis) => ({
    name: `Flatten axis ${axis}`,
    op: 'Flatten',
    inputs: [[2, 3, 4, 5]],
    attrs: { axis: int(axis) },
  })),
  { name: 'Reshape 0 and -1', op: 'Reshape', inputs: [[2, 3, 4], i64([0, -1])] },
  { name: 'Reshape -1 in the middle', op: 'Reshape', inputs: [[2, 3, 4], i64([4, -1, 2])] },
  { name: 'Transpose perm', op: 'Transpose', inputs: [[1, 2, 3, 4]], attrs: { perm: ints([0, 2, 3, 1]) } },
  { name: 'Transpose default', op: 'Transpose', inputs: [[1, 2, 3]] },
  {
    name: 'ReduceMean axes attr keepdims 0',
    op: 'ReduceMean',
    inputs: [[2, 3, 4]],
    attrs: { axes: ints([0, -1]), keepdims: int(0) },
  },
  { name: 'ReduceSum axes input', op: 'ReduceSum', inputs: [[2, 3, 4], i64([-2])] },
  { name: 'ReduceSum no axes keepdims 0', op: 'ReduceSum', inputs: [[2, 3, 4]], attrs: { keepdims: int(0) } },
  {
    name: 'ReduceSum noop_with_empty_axes',
    op: 'ReduceSum',
    inputs: [[2, 3, 4]],
    attrs: { noop_with_empty_axes: int(1) },
  },
  { name: 'ReduceSumSquare all', op: 'ReduceSumSquare', inputs: [[2, 3, 4]] },
  {
    name: 'ReduceMax axes input (opset 18)',
    op: 'ReduceMax',
    inputs: [[2, 3, 4], i64([1])],
    attrs: { keepdims: int(0) },
    opset: 18,
  },
  { name: 'ReduceMean axes input (opset 18)', op: 'ReduceMean', inputs: [[2, 3, 4], i64([0, 2])], opset: 18 },
  { name: 'Squeeze axes input', op: 'Squeeze', inputs: [[1, 3, 1, 2], i64([-2])] },
  { name: 'Squeeze all ones', op: 'Squeeze', inputs: [[1, 3, 1, 2]] },
  { name: 'Unsqueeze', op: 'Unsqueeze', inputs: [[3, 2], i64([0, -1])] },
  {
    name: 'Gather axis 1',
    op: 'Gather',
    inputs: [[3, 4, 5], int64Tensor([2, 2], [0, 1, 3, -1])],
    attrs: { axis: int(1) },
  },
  { name: 'Gather scalar index', op: 'Gather', inputs: [[3, 4], int64Tensor([], [2])] },
  { name: 'GatherElements', op: 'GatherElements', inputs: [[3, 4], int64Tensor([2, 4], [0, 1, 2, 0, 1, 2, 0, 1])] },
  {
    name: 'ScatterElements add',
    op: 'ScatterElements',
    inputs: [[3, 4], int64Tensor([1, 2], [2, 0]), [1, 2]],
    attrs: { axis: int(0), reduction: str('add') },
  },
  { name: 'ArgMax keepdims 0 axis -1', op: 'ArgMax', inputs: [[2, 3, 4]], attrs: { axis: int(-1), keepdims: int(0) } },
  { name: 'ArgMax default', op: 'ArgMax', inputs: [[2, 3, 4]] },
  { name: 'Cast to int64', op: 'Cast', inputs: [[2, 3]], attrs: { to: int(7) } },
  { name: 'Cast to double', op: 'Cast', inputs: [[2, 3]], attrs: { to: int(11) } },
  { name: 'Expand', op: 'Expand', inputs: [[3, 1], i64([2, 1, 4])] },
  { name: 'Shape', op: 'Shape', inputs: [[2, 3, 4]] },
  { name: 'Shape start/end', op: 'Shape', inputs: [[2, 3, 4, 5]], attrs: { start: int(1), end: int(-1) } },
  {
    name: 'Constant',
    op: 'Constant',
    inputs: [],
    attrs: { value: { type: 'tensor', value: floatTensor([2, 3], [1, 2, 3, 4, 5, 6]) } },
  },
  { name: 'Constant value_ints', op: 'Constant', inputs: [], attrs: { value_ints: ints([1, 2, 3]) } },
  {
    name: 'ConstantOfShape',
    op: 'ConstantOfShape',
    inputs: [i64([2, 5])],
    attrs: { value: { type: 'tensor', value: int64Tensor([1], [3]) } },
  },
  { name: 'Tile', op: 'Tile', inputs: [[2, 3], i64([3, 2])] },
  {
    name: 'Resize scales nearest',
    op: 'Resize',
    inputs: [[1, 2, 3, 5], '', f32([1, 1, 2, 1.5])],
    attrs: { mode: str('nearest') },
  },
  {
    name: 'Resize sizes linear',
    op: 'Resize',
    inputs: [[1, 2, 3, 5], '', '', i64([1, 2, 7, 4])],
    attrs: { mode: str('linear') },
  },
  {
    name: 'Resize sizes not_larger (opset 18)',
    op: 'Resize',
    inputs: [[1, 2, 4, 6], '', '', i64([8, 9])],
    attrs: { axes: ints([2, 3]), keep_aspect_ratio_policy: str('not_larger') },
    opset: 18,
  },
];

function isShape(o: Operand): o is number[] {
  return Array.isArray(o);
}

function randomFeed(type: DataType, shape: number[]): ort.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (type === 'bool')
    return new ort.Tensor(
      'bool',
      Uint8Array.from({ length: n }, (_, i) => i % 2),
      shape,
    );
  return new ort.Tensor(
    'float32',
    Float32Array.from({ length: n }, (_, i) => 0.5 + ((i * 7) % 11) / 10),
    shape,
  );
}

function graphFor(c: Case): { graph: Graph; feeds: Record<string, ort.Tensor> } {
  const graph = emptyGraph(c.name);
  const feeds: Record<string, ort.Tensor> = {};
  const inputs = c.inputs.map((o, i) => {
    if (o === '') return '';
    const name = `in${i}`;
    if (isShape(o) || 'type' in o) {
      const [type, shape] = isShape(o) ? (['float32', o] as const) : [o.type, o.shape];
      graph.inputs.push({ name, dataType: type, shape });
      feeds[name] = randomFeed(type, shape);
    } else {
      graph.initializers.set(name, o);
    }
    return name;
  });
  const outputs = Array.from({ length: c.outputs ?? 1 }, (_, i) => `out${i}`);
  graph.nodes.push({ opType: c.op, name: 'node', inputs, outputs, attributes: c.attrs ?? {} });
  return { graph, feeds };
}

/** Runs the graph in ORT with symbolic output shapes (so ORT's own inference cannot interfere). */
async function runInOrt(graph: Graph, feeds: Record<string, ort.Tensor>, opset: number) {
  const session = await createOrtSession(
    encodeModel({ graph, opsetVersion: opset, irVersion: 8, producerName: 'test', metadata: {} }),
    { threads: 1 },
  );
  try {
    const results = await session.run(feeds);
    return graph.outputs.map((o) => ({ type: results[o.name]!.type, dims: [...results[o.name]!.dims] }));
  } finally {
    await session.release();
  }
}

// The IR's type names are ORT's tensor type names, so they compare directly.
for (const c of CASES) {
  test(`shape of ${c.name} matches ORT`, async () => {
    const { graph, feeds } = graphFor(c);
    inferShapes(graph);
    const inferred = graph.nodes[0]!.outputs.map((name) => graph.valueInfo.get(name)!);
    graph.outputs = inferred.map((v) => ({ ...v, shape: v.shape.map((_, i) => `${v.name}_d${i}`) }));
    const actual = await runInOrt(graph, feeds, c.opset ?? 17);
    assert.deepStrictEqual(
      inferred.map((v) => ({ type: v.dataType, dims: v.shape })),
      actual,
    );
  });
}

test('folds the Shape -> Gather -> Unsqueeze -> Concat chain that feeds a Reshape, and Shape -> Slice', async () => {
  const graph = emptyGraph('chain');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [2, 3, 4, 5] });
  graph.initializers.set('i0', int64Tensor([], [0]));
  graph.initializers.set('ax', i64([0]));
  graph.initializers.set('minus1', i64([-1]));
  graph.nodes.push(
    { opType: 'Shape', name: 'shape', inputs: ['x'], outputs: ['s'], attributes: {} },
    { opType: 'Gather', name: 'gather', inputs: ['s', 'i0'], outputs: ['n'], attributes: {} },
    { opType: 'Unsqueeze', name: 'unsq', inputs: ['n', 'ax'], outputs: ['n1'], attributes: {} },
    { opType: 'Concat', name: 'cat', inputs: ['n1', 'minus1'], outputs: ['target'], attributes: { axis: int(0) } },
    { opType: 'Reshape', name: 'reshape', inputs: ['x', 'target'], outputs: ['y'], attributes: {} },
    { opType: 'ConstantOfShape', name: 'zeros', inputs: ['s'], outputs: ['z'], attributes: {} },
    { opType: 'Slice', name: 'tail', inputs: ['s', 'minus2', 'negbig', '', 'minus1'], outputs: ['hw'], attributes: {} },
    { opType: 'ConstantOfShape', name: 'ones', inputs: ['hw'], outputs: ['o'], attributes: {} },
  );
  graph.initializers.set('minus2', i64([-2]));
  graph.initializers.set('negbig', i64([-(2 ** 62)]));
  inferShapes(graph);
  assert.deepStrictEqual(shapeOf(graph, 'y'), [2, 60]);
  graph.outputs = [{ name: 'y', dataType: 'float32', shape: ['a', 'b'] }];
  const [y] = await runInOrt(graph, { x: randomFeed('float32', [2, 3, 4, 5]) }, 17);
  assert.deepStrictEqual(y!.dims, [2, 60]);
  assert.deepStrictEqual(shapeOf(graph, 'z'), [2, 3, 4, 5]);
  assert.deepStrictEqual(shapeOf(graph, 'o'), [4, 3, 2]);
});

test('an unknown op is rejected naming the op and node', () => {
  const graph = emptyGraph('g');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1] });
  graph.nodes.push({ opType: 'FancyOp', name: 'fancy1', inputs: ['x'], outputs: ['y'], attributes: {} });
  assert.throws(() => inferShapes(graph), { message: 'shape inference: unsupported op FancyOp (node fancy1)' });
});

test('inferShapesWhereKnown stops only the values computed from a node it cannot infer', () => {
  const graph = emptyGraph('g');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1, 2] });
  const node = (opType: string, inputs: string[], output: string) =>
    graph.nodes.push({ opType, name: output, inputs, outputs: [output], attributes: {} });
  node('FancyOp', ['x'], 'fancy');
  node('Relu', ['fancy'], 'above');
  node('Sigmoid', ['x'], 'beside');
  node('Add', ['beside', 'above'], 'joined');
  const unknown = inferShapesWhereKnown(graph);
  const why = 'shape inference: unsupported op FancyOp (node fancy)';
  assert.deepStrictEqual(
    [...unknown],
    [
      ['fancy', why],
      ['above', why],
      ['joined', why],
    ],
  );
  assert.deepStrictEqual([...graph.valueInfo.keys()], ['beside']);
});

test('inconsistent shapes are reported with the node', () => {
  const { graph } = graphFor({
    name: 'bad',
    op: 'Conv',
    inputs: [
      [1, 3, 8, 8],
      [4, 2, 3, 3],
    ],
  });
  assert.throws(
    () => inferShapes(graph),
    /shape inference: node node \(Conv\): input has 3 channels, weights expect 2/,
  );
  const { graph: g2 } = graphFor({ name: 'bad', op: 'Add', inputs: [[2, 3], [4]] });
  assert.throws(() => inferShapes(g2), /node node \(Add\): shapes \[2,3\] and \[4\] do not broadcast/);
});

test('shapeOf needs static shapes; setInputShape fixes them and clears stale inference', () => {
  const { graph } = graphFor({ name: 'sym', op: 'Relu', inputs: [[1, 3, 8, 8]] });
  graph.inputs[0]!.shape = ['N', 3, 'H', 'W'];
  inferShapes(graph);
  assert.deepStrictEqual(graph.valueInfo.get('out0')?.shape, ['N', 3, 'H', 'W']);
  assert.throws(() => shapeOf(graph, 'out0'), /value out0 has symbolic shape \["N",3,"H","W"\]/);
  assert.throws(() => shapeOf(graph, 'nope'), /no shape known for value nope/);
  setInputShape(graph, 'in0', [1, 3, 16, 12]);
  assert.equal(graph.valueInfo.size, 0);
  inferShapes(graph);
  assert.deepStrictEqual(shapeOf(graph, 'out0'), [1, 3, 16, 12]);
  assert.throws(() => setInputShape(graph, 'x', [1]), /graph has no input x \(inputs: in0\)/);
  assert.throws(() => setInputShape(graph, 'in0', [1, 3]), /input in0 has rank 4/);
});

test('withInputShape returns a shaped copy and leaves the original symbolic', () => {
  const { graph } = graphFor({ name: 'sym', op: 'Relu', inputs: [[1, 3, 8, 8]] });
  graph.inputs[0]!.shape = [1, 3, 'H', 'W'];
  const shaped = withInputShape(graph, 'in0', [1, 3, 10, 6]);
  assert.deepStrictEqual(shapeOf(shaped, 'out0'), [1, 3, 10, 6]);
  assert.deepStrictEqual(graph.inputs[0]!.shape, [1, 3, 'H', 'W']);
  assert.equal(graph.valueInfo.size, 0);
  assert.equal(shaped.nodes, graph.nodes, 'nodes are shared, not copied');
});

for (const opset of [11, 17]) {
  test(`every intermediate shape of a PyTorch-exported CNN (opset ${opset}) matches ORT at two input sizes`, async () => {
    const model = decodeModel(readFileSync(new URL(`./fixtures/torch-cnn-opset${opset}.onnx`, import.meta.url)));
    for (const [h, w] of [
      [64, 64],
      [57, 83],
    ] as const) {
      setInputShape(model.graph, 'input', [2, 3, h, w]);
      inferShapes(model.graph);
      const values = model.graph.nodes.flatMap((n) => n.outputs).filter((o) => o !== '');
      const inferred = values.map((name) => model.graph.valueInfo.get(name)!);
      model.graph.outputs = inferred.map((v) => ({ ...v, shape: v.shape.map((_, i) => `${v.name}_d${i}`) }));
      const actual = await runInOrt(model.graph, { input: randomFeed('float32', [2, 3, h, w]) }, model.opsetVersion);
      assert.deepStrictEqual(
        inferred.map((v) => ({ name: v.name, type: v.dataType, dims: v.shape })),
        actual.map((a, i) => ({ name: values[i], ...a })),
      );
    }
  });
}

test("folds PyTorch's pads computation (reshape to pairs, reverse the rows, transpose, flatten), as for F.pad", async () => {
  const graph = emptyGraph('pads');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1, 2, 5, 6] });
  graph.initializers.set('given', i64([1, 2, 3, 1]));
  graph.initializers.set('four', i64([4]));
  graph.initializers.set('pairs', i64([-1, 2]));
  graph.initializers.set('flat', i64([-1]));
  graph.initializers.set('start', i64([-1]));
  graph.initializers.set('end', i64([-(2 ** 62)]));
  graph.initializers.set('axis0', i64([0]));
  graph.nodes.push(
    {
      opType: 'ConstantOfShape',
      name: 'zeros',
      inputs: ['four'],
      outputs: ['z'],
      attributes: { value: { type: 'tensor', value: i64([0]) } },
    },
    { opType: 'Concat', name: 'cat', inputs: ['given', 'z'], outputs: ['all'], attributes: { axis: int(0) } },
    { opType: 'Reshape', name: 'pairs', inputs: ['all', 'pairs'], outputs: ['p'], attributes: {} },
    {
      opType: 'Slice',
      name: 'reverse',
      inputs: ['p', 'start', 'end', 'axis0', 'start'],
      outputs: ['r'],
      attributes: {},
    },
    { opType: 'Transpose', name: 'transpose', inputs: ['r'], outputs: ['t'], attributes: { perm: ints([1, 0]) } },
    { opType: 'Reshape', name: 'flatten', inputs: ['t', 'flat'], outputs: ['pads'], attributes: {} },
    { opType: 'Pad', name: 'pad', inputs: ['x', 'pads'], outputs: ['y'], attributes: { mode: str('reflect') } },
  );
  inferShapes(graph);
  // F.pad's (left, right, top, bottom) = (1, 2, 3, 1) pads W by 1 + 2 and H by 3 + 1.
  assert.deepStrictEqual(shapeOf(graph, 'y'), [1, 2, 9, 9]);
  graph.outputs = [{ name: 'y', dataType: 'float32', shape: ['a', 'b', 'c', 'd'] }];
  const [y] = await runInOrt(graph, { x: randomFeed('float32', [1, 2, 5, 6]) }, 17);
  assert.deepStrictEqual(y!.dims, [1, 2, 9, 9]);
});
