/** Vector-Jacobian products of ops that only move, copy or select elements. */
import { type Node, attrInt, attrInts, attrString, int } from '../../onnx/ir.js';
import { normalizeAxis, sliceRange } from '../../onnx/shape-math.js';
import type { GradContext, GradRule } from '../grad-context.js';
import { premaskRelus } from './activation.js';
import { noGradientRule } from './errors.js';

/** Gradient passes unchanged (Identity, Dropout in inference). */
export const passThroughGrad: GradRule = (_node, [dY]) => [dY];

/** Flatten, Reshape, Squeeze, Unsqueeze: reshape the gradient back. */
export const reshapeGrad: GradRule = (node, [dY], ctx) => (dY ? [ctx.reshape(dY, ctx.shape(node.inputs[0]!))] : []);

export const transposeGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const rank = ctx.shape(node.inputs[0]!).length;
  const perm = attrInts(
    node,
    'perm',
    Array.from({ length: rank }, (_, i) => rank - 1 - i),
  );
  const inverse = Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.transpose(dY, inverse)];
};

export const concatGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const rank = ctx.shape(node.outputs[0]!).length;
  const axis = normalizeAxis(attrInt(node, 'axis', 0), rank, node.name);
  const sizes = node.inputs.map((v) => ctx.shape(v)[axis]!);
  if (axis === 1 && ctx.hasChannelSlicer(dY)) {
    const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    return node.inputs.map((v, i) => (ctx.needsGrad(v) ? ctx.channelSlice(dY, starts[i]!, sizes[i]!) : undefined));
  }
  const masked = (axis === 1 && premaskRelus(node, node.inputs, (v) => ctx.shape(v)[1]!, dY, ctx)) || dY;
  return ctx.builder.addMulti('Split', [masked, ctx.int64s(sizes)], sizes.length, { axis: int(axis) }, 'grad_Split');
};

/** Split's adjoint concatenates the output gradients, with zeros for outputs that got none. */
export const splitGrad: GradRule = (node, dOutputs, ctx) => {
  const rank = ctx.shape(node.inputs[0]!).length;
  const axis = normalizeAxis(attrInt(node, 'axis', 0), rank, node.name);
  const parts = node.outputs.map((out, i) => dOutputs[i] ?? ctx.zeros(ctx.shape(out)));
  return [ctx.add('Concat', parts, { axis: int(axis) })];
};

/** Slice with steps of +-1: pad the gradient back to the input's extent (reversed for step -1). */
export const sliceGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const xShape = ctx.shape(node.inputs[0]!);
  const rank = xShape.length;
  const [, startsIn, endsIn, axesIn, stepsIn] = node.inputs as [string, string, string, string?, string?];
  const starts = ctx.constantValues(startsIn, node);
  const ends = ctx.constantValues(endsIn, node);
  const axes = axesIn
    ? ctx.constantValues(axesIn, node).map((a) => normalizeAxis(a, rank, node.name))
    : starts.map((_, i) => i);
  const steps = stepsIn ? ctx.constantValues(stepsIn, node) : starts.map(() => 1);
  if (steps.some((s) => Math.abs(s) !== 1)) throw noGradientRule(node, 'with steps other than 1 and -1');
  const padsBegin = Array<number>(rank).fill(0);
  const padsEnd = Array<number>(rank).fill(0);
  const reversed: number[] = [];
  axes.forEach((axis, i) => {
    const dim = xShape[axis]!;
    const { start, count } = sliceRange(dim, starts[i]!, ends[i]!, steps[i]!);
    // A step -1 slice takes start, start-1, …: its elements span [start - count + 1, start].
    const first = steps[i] === 1 ? start : start - count + 1;
    padsBegin[axis] = first;
    padsEnd[axis] = dim - first - count;
    if (steps[i] === -1) reversed.push(axis);
  });
  let grad = dY;
  if (reversed.length > 0) {
    const flipSizes = reversed.map((a) => ctx.shape(node.outputs[0]!)[a]!);
    grad = ctx.add('Slice', [
      grad,
      ctx.int64s(reversed.map(() => -1)),
      ctx.int64s(flipSizes.map((s) => -s - 1)),
      ctx.int64s(reversed),
      ctx.int64s(reversed.map(() => -1)),
    ]);
  }
  return [ctx.add('Pad', [grad, ctx.int64s([...padsBegin, ...padsEnd])])];
};

/** Constant-mode Pad: crop the padding off the gradient (and zero-pad where the Pad cropped). */
export const padGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  if (attrString(node, 'mode', 'constant') !== 'constant')
    throw noGradientRule(node, `in ${attrString(node, 'mode', '')} mode`);
  const xShape = ctx.shape(node.inputs[0]!);
  const rank = xShape.length;
  const [, padsIn, , axesIn] = node.inputs as [string, string?, string?, string?];
  const given = padsIn ? ctx.constantValues(padsIn, node) : attrInts(node, 'pads', []);
  const axes = axesIn
    ? ctx.constantValues(axesIn, node).map((a) => normalizeAxis(a, rank, node.name))
    : xShape.map((_, i) => i);
  const pads = Array<number>(2 * rank).fill(0);
  axes.forEach((axis, i) => {
    pads[axis] = given[i]!;
    pads[axis + rank] = given[i + axes.length]!;
  });
  return [cropAndPad(dY, ctx.shape(node.outputs[0]!), pads, ctx)];
};

/** Undoes a constant padding `pads` (begin…, end…) applied to a tensor, on its gradient of shape `yShape`. */
function cropAndPad(dY: string, yShape: number[], pads: number[], ctx: GradContext): string {
  const rank = yShape.length;
  const cropped = yShape.map((_, i) => i).filter((i) => pads[i]! > 0 || pads[i + rank]! > 0);
  let grad = dY;
  if (cropped.length > 0) {
    grad = ctx.add('Slice', [
      grad,
      ctx.int64s(cropped.map((i) => Math.max(pads[i]!, 0))),
      ctx.int64s(cropped.map((i) => yShape[i]! - Math.max(pads[i + rank]!, 0))),
      ctx.int64s(cropped),
    ]);
  }
  if (pads.some((p) => p < 0)) grad = ctx.add('Pad', [grad, ctx.int64s(pads.map((p) => Math.max(-p, 0)))]);
  return grad;
}

/**
 * ReduceMean / ReduceSum: broadcast the gradient back (divided by the count for the mean).
 * ReduceSumSquare: x times twice the gradient (the product broadcasts it).
 */
function reduceGrad(kind: 'sum' | 'mean' | 'sumSquare'): GradRule {
  return (node: Node, [dY], ctx: GradContext) => {
    if (!dY) return [];
    const x = node.inputs[0]!;
    const xShape = ctx.shape(x);
    const rank = xShape.length;
    const axesIn = node.inputs[1];
    const listed = axesIn ? ctx.constantValues(axesIn, node) : attrInts(node, 'axes', []);
    const noop = listed.length === 0 && attrInt(node, 'noop_with_empty_axes', 0) === 1;
    if (noop && kind === 'sumSquare') throw noGradientRule(node, 'with noop_with_empty_axes');
    if (noop) return [dY];
    const axes = listed.length === 0 ? xShape.map((_, i) => i) : listed.map((a) => normalizeAxis(a, rank, node.name));
    const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
    if (kind === 'sumSquare') return [ctx.add('Mul', [x, ctx.reshape(ctx.add('Mul', [dY, ctx.scalar(2)]), kept)])];
    let grad = ctx.reshape(dY, kept);
    if (kind === 'mean') grad = ctx.add('Mul', [grad, ctx.scalar(1 / axes.reduce((n, a) => n * xShape[a]!, 1))]);
    return [ctx.add('Expand', [grad, ctx.int64s(xShape)])];
  };
}

export const reduceMeanGrad = reduceGrad('mean');
export const reduceSumGrad = reduceGrad('sum');
export const reduceSumSquareGrad = reduceGrad('sumSquare');
