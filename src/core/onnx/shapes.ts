/**
 * Static shape inference over the IR: fills graph.valueInfo with the type and shape of every
 * node output, from the graph input shapes and the initializers. Shapes are what ORT's CPU
 * kernels produce (checked op by op in test/core/onnx/shapes.test.ts).
 */
import { dataTypeOfOnnxCode } from './data-types.js';
import {
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  type DataType,
  type Dim,
  type Graph,
  type Node,
  type Tensor,
  type ValueInfo,
  tensorValues,
} from './ir.js';
import {
  broadcastShapes,
  normalizeAxis,
  product,
  sliceRange,
  convTransposeGeometry,
  windowOutputSize,
  type AutoPad,
} from './shape-math.js';
import { foldValues, MAX_FOLDED } from './shape-values.js';

interface Known {
  dataType: DataType;
  shape: Dim[];
}

type Rule = (c: NodeContext) => Known[];

/** What one node's rule can ask about its inputs and attributes. */
class NodeContext {
  constructor(
    readonly node: Node,
    private readonly known: Map<string, Known>,
    private readonly values: Map<string, number[]>,
  ) {}

  fail(message: string): never {
    throw new Error(`shape inference: node ${this.node.name} (${this.node.opType}): ${message}`);
  }

  /** Whether optional input `i` is present. */
  has(i: number): boolean {
    return (this.node.inputs[i] ?? '') !== '';
  }

  info(i: number): Known {
    const name = this.node.inputs[i] ?? '';
    if (name === '') this.fail(`input ${i} is missing`);
    const k = this.known.get(name);
    if (!k) this.fail(`input ${name} has no known shape (is the graph topologically sorted?)`);
    return k;
  }

  dims(i: number): Dim[] {
    return this.info(i).shape;
  }

  type(i: number): DataType {
    return this.info(i).dataType;
  }

  /** Input `i`'s shape, which must be fully static. */
  shape(i: number): number[] {
    const dims = this.dims(i);
    if (!dims.every((d): d is number => typeof d === 'number')) {
      this.fail(
        `input ${this.node.inputs[i]} has symbolic shape ${JSON.stringify(dims)}; set static input shapes first`,
      );
    }
    return dims;
  }

  /** The constant value of input `i` (initializer, Constant or folded shape arithmetic), if known. */
  value(i: number): number[] | undefined {
    return this.has(i) ? this.values.get(this.node.inputs[i]!) : undefined;
  }

  requireValue(i: number, what: string): number[] {
    const v = this.value(i);
    if (!v) this.fail(`${what} (input ${this.node.inputs[i]}) must be a constant`);
    return v;
  }

  /** A list given either as attribute `name` (older opsets) or as input `i` (newer opsets). */
  attrOrInput(name: string, i: number): number[] | undefined {
    if (this.node.attributes[name]) return attrInts(this.node, name, []);
    return this.has(i) ? this.requireValue(i, name) : undefined;
  }

  axis(axis: number, rank: number): number {
    try {
      return normalizeAxis(axis, rank, 'axis');
    } catch (err) {
      this.fail((err as Error).message);
    }
  }
}

// ---------------------------------------------------------------- rules

const sameAsInput: Rule = (c) => [{ ...c.info(0) }];

function broadcastOrFail(c: NodeContext, shapes: Dim[][]): Dim[] {
  try {
    return broadcastShapes(shapes);
  } catch (err) {
    c.fail((err as Error).message);
  }
}

const broadcast =
  (outType?: DataType): Rule =>
  (c) => [
    {
      dataType: outType ?? c.type(0),
      shape: broadcastOrFail(
        c,
        c.node.inputs.map((_, i) => c.dims(i)),
      ),
    },
  ];

function spatialParams(c: NodeContext, spatial: number, kernel: number[]) {
  const autoPad = attrString(c.node, 'auto_pad', 'NOTSET') as AutoPad;
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) c.fail(`unknown auto_pad ${autoPad}`);
  const strides = attrInts(c.node, 'strides', Array(spatial).fill(1));
  const dilations = attrInts(c.node, 'dilations', Array(spatial).fill(1));
  const pads = attrInts(c.node, 'pads', Array(2 * spatial).fill(0));
  if (
    kernel.length !== spatial ||
    strides.length !== spatial ||
    dilations.length !== spatial ||
    pads.length !== 2 * spatial
  ) {
    c.fail(`kernel_shape/strides/dilations/pads do not match ${spatial} spatial dims`);
  }
  return Array.from({ length: spatial }, (_, i) => ({
    kernel: kernel[i]!,
    stride: strides[i]!,
    dilation: dilations[i]!,
    padBegin: pads[i]!,
    padEnd: pads[i + spatial]!,
    autoPad,
  }));
}

function windowSizes(c: NodeContext, x: number[], kernel: number[], ceilMode: boolean): number[] {
  return spatialParams(c, x.length - 2, kernel).map((p, i) => {
    try {
      return windowOutputSize(x[i + 2]!, { ...p, ceilMode });
    } catch (err) {
      c.fail((err as Error).message);
    }
  });
}

const conv: Rule = (c) => {
  const [x, w] = [c.shape(0), c.shape(1)];
  if (x.length < 3 || w.length !== x.length) c.fail(`input rank ${x.length} and weight rank ${w.length} do not match`);
  const group = attrInt(c.node, 'group', 1);
  if (x[1] !== w[1]! * group) c.fail(`input has ${x[1]} channels, weights expect ${w[1]! * group} (group ${group})`);
  const kernel = attrInts(c.node, 'kernel_shape', w.slice(2));
  return [{ dataType: c.type(0), shape: [x[0]!, w[0]!, ...windowSizes(c, x, kernel, false)] }];
};

const convTranspose: Rule = (c) => {
  const [x, w] = [c.shape(0), c.shape(1)];
  if (x.length < 3 || w.length !== x.length) c.fail(`input rank ${x.length} and weight rank ${w.length} do not match`);
  if (x[1] !== w[0]) c.fail(`input has ${x[1]} channels, weights expect ${w[0]}`);
  const channels = w[1]! * attrInt(c.node, 'group', 1);
  const sizes = ((): number[] => {
    try {
      return convTransposeGeometry(c.node, x.slice(2), w.slice(2)).sizes;
    } catch (err) {
      return c.fail((err as Error).message);
    }
  })();
  return [{ dataType: c.type(0), shape: [x[0]!, channels, ...sizes] }];
};

const pool: Rule = (c) => {
  const x = c.shape(0);
  if (!c.node.attributes.kernel_shape) c.fail('kernel_shape is required');
  const sizes = windowSizes(c, x, attrInts(c.node, 'kernel_shape', []), attrInt(c.node, 'ceil_mode', 0) === 1);
  const shape = [x[0]!, x[1]!, ...sizes];
  // MaxPool's optional second output holds flat int64 indices.
  return [
    { dataType: c.type(0), shape },
    { dataType: 'int64', shape },
  ];
};

const globalPool: Rule = (c) => {
  const x = c.dims(0);
  return [{ dataType: c.type(0), shape: [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] }];
};

const batchNorm: Rule = (c) => {
  const x = c.dims(0);
  // Training mode's further outputs are per-channel statistics: the running mean and variance,
  // and before opset 14 also the batch's mean and variance.
  const stat: Known = { dataType: c.type(0), shape: [x[1]!] };
  return [{ ...c.info(0) }, stat, stat, stat, stat];
};

const dropout: Rule = (c) => [{ ...c.info(0) }, { dataType: 'bool', shape: [...c.dims(0)] }];

const concat: Rule = (c) => {
  const shapes = c.node.inputs.map((_, i) => c.shape(i));
  const rank = shapes[0]!.length;
  if (!c.node.attributes.axis) c.fail('axis is required');
  const axis = c.axis(attrInt(c.node, 'axis', 0), rank);
  const out = [...shapes[0]!];
  for (const s of shapes.slice(1)) {
    if (s.length !== rank || s.some((d, i) => i !== axis && d !== out[i]))
      c.fail(`cannot concatenate ${JSON.stringify(shapes)} on axis ${axis}`);
    out[axis]! += s[axis]!;
  }
  return [{ dataType: c.type(0), shape: out }];
};

const split: Rule = (c) => {
  const x = c.shape(0);
  const axis = c.axis(attrInt(c.node, 'axis', 0), x.length);
  const dim = x[axis]!;
  const n = c.node.outputs.length;
  let sizes = c.attrOrInput('split', 1);
  if (!sizes) {
    // num_outputs (opset 18) or the output count: equal parts, the last one smaller if uneven.
    const parts = attrInt(c.node, 'num_outputs', n);
    const chunk = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (sizes.length !== n || sizes.reduce((a, b) => a + b, 0) !== dim)
    c.fail(`split ${JSON.stringify(sizes)} does not cover dim ${dim} with ${n} outputs`);
  return sizes.map((s) => ({ dataType: c.type(0), shape: x.map((d, i) => (i === axis ? s : d)) }));
};

const slice: Rule = (c) => {
  const x = c.shape(0);
  const starts = c.attrOrInput('starts', 1) ?? c.fail('starts are required');
  const ends = c.attrOrInput('ends', 2) ?? c.fail('ends are required');
  if (starts.length !== ends.length) c.fail('starts and ends differ in length');
  const axes = c.attrOrInput('axes', 3) ?? starts.map((_, i) => i);
  const steps = (c.has(4) ? c.requireValue(4, 'steps') : undefined) ?? starts.map(() => 1);
  const out = [...x];
  axes.forEach((a, i) => {
    const axis = c.axis(a, x.length);
    if (steps[i] === 0) c.fail('steps cannot be 0');
    out[axis] = sliceRange(x[axis]!, starts[i]!, ends[i]!, steps[i]!).count;
  });
  return [{ dataType: c.type(0), shape: out }];
};

const pad: Rule = (c) => {
  const x = c.shape(0);
  const pads = c.attrOrInput('pads', 1) ?? c.fail('pads are required');
  const axes = (c.has(3) ? c.requireValue(3, 'axes') : x.map((_, i) => i)).map((a) => c.axis(a, x.length));
  if (pads.length !== 2 * axes.length) c.fail(`${pads.length} pads for ${axes.length} axes`);
  const out = [...x];
  axes.forEach((axis, i) => (out[axis] = x[axis]! + pads[i]! + pads[i + axes.length]!));
  return [{ dataType: c.type(0), shape: out }];
};

const gemm: Rule = (c) => {
  const [a, b] = [c.shape(0), c.shape(1)];
  if (a.length !== 2 || b.length !== 2) c.fail('A and B must be 2-D');
  const [m, k] = attrInt(c.node, 'transA', 0) ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [k2, n] = attrInt(c.node, 'transB', 0) ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (k !== k2) c.fail(`inner dimensions ${k} and ${k2} differ`);
  return [{ dataType: c.type(0), shape: [m, n] }];
};

const matMul: Rule = (c) => {
  const [a, b] = [c.shape(0), c.shape(1)];
  if (a.length === 0 || b.length === 0) c.fail('MatMul inputs cannot be scalars');
  // 1-D operands are promoted to matrices and the added dimension dropped again (numpy).
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2])
    c.fail(`inner dimensions of ${JSON.stringify(a)} and ${JSON.stringify(b)} differ`);
  const batch = broadcastOrFail(c, [a2.slice(0, -2), b2.slice(0, -2)]);
  const out = [...batch, ...(a.length > 1 ? [a2[a2.length - 2]!] : []), ...(b.length > 1 ? [b2[b2.length - 1]!] : [])];
  return [{ dataType: c.type(0), shape: out }];
};

const flatten: Rule = (c) => {
  const x = c.shape(0);
  const axisAttr = attrInt(c.node, 'axis', 1);
  const axis = axisAttr === x.length ? x.length : c.axis(axisAttr, x.length);
  return [{ dataType: c.type(0), shape: [product(x.slice(0, axis)), product(x.slice(axis))] }];
};

const reshape: Rule = (c) => {
  const x = c.shape(0);
  const target = c.requireValue(1, 'shape');
  const allowZero = attrInt(c.node, 'allowzero', 0) === 1;
  const out = target.map((d, i) =>
    d === 0 && !allowZero ? (x[i] ?? c.fail(`shape ${JSON.stringify(target)} copies missing dim ${i}`)) : d,
  );
  const unknown = out.indexOf(-1);
  const known = product(out.filter((d) => d !== -1));
  if (unknown >= 0) {
    if (out.indexOf(-1, unknown + 1) >= 0) c.fail('shape has more than one -1');
    out[unknown] = known === 0 ? 0 : product(x) / known;
  }
  if (!Number.isInteger(out[unknown] ?? 0) || product(out) !== product(x))
    c.fail(`cannot reshape ${JSON.stringify(x)} to ${JSON.stringify(target)}`);
  return [{ dataType: c.type(0), shape: out }];
};

const transpose: Rule = (c) => {
  const x = c.dims(0);
  const perm = attrInts(
    c.node,
    'perm',
    x.map((_, i) => x.length - 1 - i),
  );
  if (perm.length !== x.length || new Set(perm).size !== perm.length || perm.some((p) => p < 0 || p >= x.length)) {
    c.fail(`perm ${JSON.stringify(perm)} is not a permutation of ${x.length} axes`);
  }
  return [{ dataType: c.type(0), shape: perm.map((p) => x[p]!) }];
};

const reduce: Rule = (c) => {
  const x = c.shape(0);
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  const axesGiven = c.attrOrInput('axes', 1) ?? [];
  if (axesGiven.length === 0 && attrInt(c.node, 'noop_with_empty_axes', 0) === 1)
    return [{ dataType: c.type(0), shape: x }];
  const axes = new Set(axesGiven.length === 0 ? x.map((_, i) => i) : axesGiven.map((a) => c.axis(a, x.length)));
  const shape = keep ? x.map((d, i) => (axes.has(i) ? 1 : d)) : x.filter((_, i) => !axes.has(i));
  return [{ dataType: c.type(0), shape }];
};

const argMax: Rule = (c) => {
  const x = c.shape(0);
  const axis = c.axis(attrInt(c.node, 'axis', 0), x.length);
  const shape = attrInt(c.node, 'keepdims', 1) ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis);
  return [{ dataType: 'int64', shape }];
};

const squeeze: Rule = (c) => {
  const x = c.shape(0);
  const given = c.attrOrInput('axes', 1);
  const axes = new Set(given ? given.map((a) => c.axis(a, x.length)) : x.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of axes) if (x[a] !== 1) c.fail(`cannot squeeze axis ${a} of size ${x[a]}`);
  return [{ dataType: c.type(0), shape: x.filter((_, i) => !axes.has(i)) }];
};

const unsqueeze: Rule = (c) => {
  const x = c.dims(0);
  const given = c.attrOrInput('axes', 1) ?? c.fail('axes are required');
  const rank = x.length + given.length;
  const axes = new Set(given.map((a) => c.axis(a, rank)));
  if (axes.size !== given.length) c.fail(`repeated axes ${JSON.stringify(given)}`);
  const rest = [...x];
  return [{ dataType: c.type(0), shape: Array.from({ length: rank }, (_, i) => (axes.has(i) ? 1 : rest.shift()!)) }];
};

const gather: Rule = (c) => {
  const [data, indices] = [c.dims(0), c.dims(1)];
  const axis = c.axis(attrInt(c.node, 'axis', 0), data.length);
  return [{ dataType: c.type(0), shape: [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)] }];
};

const gatherElements: Rule = (c) => [{ dataType: c.type(0), shape: [...c.dims(1)] }];

const cast: Rule = (c) => [
  { dataType: dataTypeOfOnnxCode(attrInt(c.node, 'to', 0), `node ${c.node.name} (Cast)`), shape: [...c.dims(0)] },
];

const where: Rule = (c) => [{ ...broadcast()(c)[0]!, dataType: c.type(1) }];

const expand: Rule = (c) => [
  { dataType: c.type(0), shape: broadcastOrFail(c, [c.dims(0), c.requireValue(1, 'shape')]) },
];

/** The dims Shape returns: all of them, or the [start, end) range of opset 15. */
function shapeOpDims(c: NodeContext): Dim[] {
  const dims = c.dims(0);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
  return dims.slice(clamp(attrInt(c.node, 'start', 0)), clamp(attrInt(c.node, 'end', dims.length)));
}

const shapeOp: Rule = (c) => [{ dataType: 'int64', shape: [shapeOpDims(c).length] }];

/** The tensor a Constant node holds, from whichever value_* attribute it uses. */
function constantTensor(c: NodeContext): Tensor {
  const attrs = c.node.attributes;
  const a = attrs.value;
  if (a?.type === 'tensor') return a.value;
  if (attrs.value_float)
    return { dataType: 'float32', dims: [], data: new Float32Array([attrFloat(c.node, 'value_float', 0)]) };
  if (attrs.value_int)
    return { dataType: 'int64', dims: [], data: new BigInt64Array([BigInt(attrInt(c.node, 'value_int', 0))]) };
  if (attrs.value_ints) {
    const v = attrInts(c.node, 'value_ints', []);
    return { dataType: 'int64', dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) };
  }
  if (attrs.value_floats?.type === 'floats') {
    const v = attrs.value_floats.value;
    return { dataType: 'float32', dims: [v.length], data: Float32Array.from(v) };
  }
  c.fail('only tensor, value_float(s) and value_int(s) constants are supported');
}

const constant: Rule = (c) => {
  const t = constantTensor(c);
  return [{ dataType: t.dataType, shape: [...t.dims] }];
};

const constantOfShape: Rule = (c) => {
  const value = c.node.attributes.value;
  const shape = c.requireValue(0, 'shape');
  if (shape.some((d) => d < 0)) c.fail(`negative dim in shape ${JSON.stringify(shape)}`);
  return [{ dataType: value?.type === 'tensor' ? value.value.dataType : 'float32', shape }];
};

const tile: Rule = (c) => {
  const x = c.shape(0);
  const repeats = c.requireValue(1, 'repeats');
  if (repeats.length !== x.length) c.fail(`${repeats.length} repeats for rank ${x.length}`);
  return [{ dataType: c.type(0), shape: x.map((d, i) => d * repeats[i]!) }];
};

const resize: Rule = (c) => {
  const x = c.shape(0);
  const axes = attrInts(
    c.node,
    'axes',
    x.map((_, i) => i),
  ).map((a) => c.axis(a, x.length));
  // Opset 10 has (X, scales); later opsets (X, roi, scales, sizes) where empty means absent.
  const scalesInput = c.node.inputs.length === 2 ? 1 : 2;
  const sizes = c.value(3);
  const scales = c.value(scalesInput);
  const out = [...x];
  if (sizes && sizes.length > 0) {
    const policy = attrString(c.node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') axes.forEach((a, i) => (out[a] = sizes[i]!));
    else {
      const ratios = axes.map((a, i) => sizes[i]! / x[a]!);
      const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => (out[a] = Math.round(x[a]! * scale)));
    }
  } else if (scales && scales.length > 0) {
    axes.forEach((a, i) => (out[a] = Math.floor(x[a]! * scales[i]!)));
  } else {
    c.fail('needs constant scales or sizes');
  }
  return [{ dataType: c.type(0), shape: out }];
};

const RULES: Record<string, Rule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  BatchNormalization: batchNorm,
  Dropout: dropout,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  Gemm: gemm,
  MatMul: matMul,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  ReduceMean: reduce,
  ReduceSum: reduce,
  ReduceSumSquare: reduce,
  ReduceMax: reduce,
  ArgMax: argMax,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Gather: gather,
  GatherElements: gatherElements,
  ScatterElements: sameAsInput,
  Cast: cast,
  Where: where,
  Expand: expand,
  Shape: shapeOp,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Tile: tile,
  Resize: resize,
  Add: broadcast(),
  Sub: broadcast(),
  Mul: broadcast(),
  Div: broadcast(),
  Pow: broadcast(),
  Sum: broadcast(),
  Max: broadcast(),
  Min: broadcast(),
  Greater: broadcast('bool'),
  Less: broadcast('bool'),
  Equal: broadcast('bool'),
  ...Object.fromEntries(
    [
      'Relu',
      'Clip',
      'LeakyRelu',
      'Sigmoid',
      'Tanh',
      'HardSigmoid',
      'HardSwish',
      'LRN',
      'Identity',
      'Softmax',
      'Not',
      'Sign',
      'Abs',
      'Neg',
      'Sqrt',
      'Exp',
      'Log',
    ].map((op) => [op, sameAsInput]),
  ),
};

// ---------------------------------------------------------------- driver

const isStatic = (shape: Dim[]): shape is number[] => shape.every((d) => typeof d === 'number');

/** Fills graph.valueInfo with the inferred type and shape of every node output. */
export function inferShapes(graph: Graph): void {
  infer(graph);
}

/**
 * Like inferShapes, except that a node whose shapes cannot be inferred (an op without a rule,
 * sizes that do not fit) stops only the values computed from it: returns why, for each of them.
 */
export function inferShapesWhereKnown(graph: Graph): Map<string, string> {
  const unknown = new Map<string, string>();
  infer(graph, unknown);
  return unknown;
}

/**
 * The values known before run time, by name: small initializers, Constant outputs and the shape
 * arithmetic folded from them and from static shapes (e.g. pads an exporter computes with
 * Shape, Concat and Slice). Values that cannot be inferred are left out; the graph is unchanged.
 */
export function foldedValues(graph: Graph): Map<string, number[]> {
  return infer({ ...graph, valueInfo: new Map() }, new Map());
}

/**
 * Without `unknown`, the first failure throws; with it, failures are recorded there and passed
 * on. Returns the folded values.
 */
function infer(graph: Graph, unknown?: Map<string, string>): Map<string, number[]> {
  const known = new Map<string, Known>();
  const values = new Map<string, number[]>();
  for (const input of graph.inputs) known.set(input.name, { dataType: input.dataType, shape: [...input.shape] });
  for (const [name, t] of graph.initializers) {
    known.set(name, { dataType: t.dataType, shape: [...t.dims] });
    // Only small initializers can be shape parameters (axes, pads, shapes, scales).
    if (t.data.length <= MAX_FOLDED) values.set(name, tensorValues(t));
  }
  const outputs = (node: Node): string[] => node.outputs.filter((o) => o !== '');
  for (const node of graph.nodes) {
    const inherited = unknown && node.inputs.map((i) => unknown.get(i)).find((r) => r !== undefined);
    if (inherited !== undefined) {
      for (const o of outputs(node)) unknown!.set(o, inherited);
      continue;
    }
    try {
      inferNode(graph, node, known, values);
    } catch (err) {
      if (!unknown) throw err;
      for (const o of outputs(node)) {
        unknown.set(o, (err as Error).message);
        known.delete(o);
        graph.valueInfo.delete(o);
      }
    }
  }
  return values;
}

function inferNode(graph: Graph, node: Node, known: Map<string, Known>, values: Map<string, number[]>): void {
  const rule = !node.domain || node.domain === 'ai.onnx' ? RULES[node.opType] : undefined;
  if (!rule) throw new Error(`shape inference: unsupported op ${node.opType} (node ${node.name})`);
  const c = new NodeContext(node, known, values);
  const outs = rule(c);
  node.outputs.forEach((name, i) => {
    if (name === '') return;
    const out = outs[i] ?? c.fail(`has no output ${i}`);
    known.set(name, out);
    graph.valueInfo.set(name, { name, dataType: out.dataType, shape: [...out.shape] });
  });
  const folded = foldNode(node, c, known, values, outs[0]!);
  if (folded) values.set(node.outputs[0]!, folded);
}

/** The value of the node's first output, when it is computable at inference time. */
function foldNode(
  node: Node,
  c: NodeContext,
  known: Map<string, Known>,
  values: Map<string, number[]>,
  out: Known,
): number[] | undefined {
  if (!isStatic(out.shape) || product(out.shape) > MAX_FOLDED) return undefined;
  switch (node.opType) {
    case 'Constant':
      return tensorValues(constantTensor(c));
    case 'Shape': {
      const dims = shapeOpDims(c);
      return isStatic(dims) ? dims : undefined;
    }
    case 'ConstantOfShape': {
      const v = node.attributes.value;
      const fill = v?.type === 'tensor' ? Number(v.value.data[0] ?? 0) : 0;
      return Array(product(out.shape)).fill(fill);
    }
    default: {
      const inputs = node.inputs.map((n) => {
        const k = known.get(n);
        if (!k) return undefined;
        return {
          dataType: k.dataType,
          shape: isStatic(k.shape) ? k.shape : [],
          values: isStatic(k.shape) ? values.get(n) : undefined,
        };
      });
      return foldValues(node, inputs, out.dataType, out.shape);
    }
  }
}

/** Every value's declared or inferred info: inputs, initializers, value_info, outputs. */
function lookup(graph: Graph, name: string): ValueInfo | undefined {
  const t = graph.initializers.get(name);
  if (t) return { name, dataType: t.dataType, shape: t.dims };
  return (
    graph.valueInfo.get(name) ?? graph.inputs.find((v) => v.name === name) ?? graph.outputs.find((v) => v.name === name)
  );
}

/** The static shape of value `name`; throws if it is unknown (run inferShapes) or symbolic. */
export function shapeOf(graph: Graph, name: string): number[] {
  const info = lookup(graph, name);
  if (!info) throw new Error(`no shape known for value ${name}; run shape inference first`);
  if (!isStatic(info.shape)) throw new Error(`value ${name} has symbolic shape ${JSON.stringify(info.shape)}`);
  return [...info.shape];
}

/**
 * Fixes the shape of a graph input (e.g. a tile size for a symbolic-size model). Inferred
 * value_info depends on input shapes, so it is cleared; run inferShapes again.
 */
export function setInputShape(graph: Graph, inputName: string, dims: number[]): void {
  const input = graph.inputs.find((i) => i.name === inputName);
  if (!input)
    throw new Error(`graph has no input ${inputName} (inputs: ${graph.inputs.map((i) => i.name).join(', ')})`);
  if (dims.length !== input.shape.length)
    throw new Error(`input ${inputName} has rank ${input.shape.length}, got dims ${JSON.stringify(dims)}`);
  input.shape = [...dims];
  graph.valueInfo.clear();
}

/**
 * A copy of `graph` whose input `inputName` has `dims` and whose valueInfo holds every value's
 * shape at that size. Nodes and initializers are shared with the original, which is unchanged.
 */
export function withInputShape(graph: Graph, inputName: string, dims: number[]): Graph {
  const copy = resizedCopy(graph, inputName, dims);
  inferShapes(copy);
  return copy;
}

/** withInputShape by inferShapesWhereKnown: the copy, and why some values have no shape in it. */
export function withInputShapeWhereKnown(
  graph: Graph,
  inputName: string,
  dims: number[],
): { graph: Graph; unknown: Map<string, string> } {
  const copy = resizedCopy(graph, inputName, dims);
  return { graph: copy, unknown: inferShapesWhereKnown(copy) };
}

function resizedCopy(graph: Graph, inputName: string, dims: number[]): Graph {
  const copy: Graph = {
    ...graph,
    inputs: graph.inputs.map((i) => ({ ...i, shape: [...i.shape] })),
    valueInfo: new Map(),
  };
  setInputShape(copy, inputName, dims);
  return copy;
}
