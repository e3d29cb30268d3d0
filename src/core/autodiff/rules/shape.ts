/** Vector-Jacobian products of ops that only move, copy or select elements. */
import { type Node, attrInt, attrInts, attrString, int } from '../../onnx/ir.js';
import { normalizeAxis, sliceRange } from '../../onnx/shape-math.js';
import type { GradContext, GradRule } from '../grad-context.js';
import { premaskRelus } from './activation.js';
import { noGradientRule, trainingModeError } from './errors.js';

/** Gradient passes unchanged (Identity). */
export const passThroughGrad: GradRule = (_node, [dY]) => [dY];

/** Dropout in inference mode passes the gradient; in training mode its random mask cannot be dreamed through. */
export const dropoutGrad: GradRule = (node, [dY], ctx) => {
  const training = trainingModeError(ctx.graph, node);
  if (training) throw training;
  return [dY];
};

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

/**
 * Slice: the gradient goes back to the elements taken. Per axis, step s takes elements first,
 * first + |s|, … (reversed when s < 0): the gradient is reversed on axes of negative steps,
 * spread out with |s| - 1 zeros between elements (see spreadAxis), then zero-padded to the
 * input's extent.
 */
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
  const shape = ctx.shape(node.outputs[0]!);
  if (shape.includes(0)) return [ctx.zeros(xShape)];
  const padsBegin = Array<number>(rank).fill(0);
  const padsEnd = Array<number>(rank).fill(0);
  const reversed: number[] = [];
  const spread: [axis: number, stride: number][] = [];
  axes.forEach((axis, i) => {
    const step = steps[i]!;
    const stride = Math.abs(step);
    const { start, count } = sliceRange(xShape[axis]!, starts[i]!, ends[i]!, step);
    // A negative step takes start, start - stride, …: its elements span [first, start].
    const first = step > 0 ? start : start - (count - 1) * stride;
    padsBegin[axis] = first;
    padsEnd[axis] = xShape[axis]! - first - ((count - 1) * stride + 1);
    if (step < 0) reversed.push(axis);
    if (stride > 1) spread.push([axis, stride]);
  });
  let grad = reversed.length > 0 ? reverseAxes(dY, reversed, ctx) : dY;
  for (const [axis, stride] of spread) grad = spreadAxis(grad, shape, axis, stride, ctx);
  return [ctx.add('Pad', [grad, ctx.int64s([...padsBegin, ...padsEnd])])];
};

/**
 * Puts `stride` - 1 zeros between consecutive elements along `axis` of `value` (of `shape`,
 * updated): a new axis after it padded to `stride`, merged into it, and the trailing zeros cut.
 */
function spreadAxis(value: string, shape: number[], axis: number, stride: number, ctx: GradContext): string {
  const count = shape[axis]!;
  const split = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)];
  const widened = padAxis(ctx.reshape(value, split), split.length, axis + 1, 0, stride - 1, ctx);
  shape[axis] = count * stride;
  const merged = ctx.reshape(widened, shape);
  shape[axis] = (count - 1) * stride + 1;
  return ctx.sliceAxis(merged, axis, 0, shape[axis]!);
}

/**
 * Pad: constant mode crops the padding off the gradient (and zero-pads where the Pad cropped);
 * edge and reflect modes also add the gradient of each padded element onto the input element it
 * copies (see unpadAxis).
 */
export const padGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const mode = attrString(node, 'mode', 'constant');
  if (mode !== 'constant' && mode !== 'edge' && mode !== 'reflect') throw noGradientRule(node, `in ${mode} mode`);
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
  if (mode === 'constant') return [cropAndPad(dY, ctx.shape(node.outputs[0]!), pads, ctx)];
  if (pads.some((p) => p < 0)) throw noGradientRule(node, `in ${mode} mode with negative pads`);
  // Reflection copies from at most n - 1 elements beyond the edge.
  if (mode === 'reflect' && xShape.some((n, axis) => Math.max(pads[axis]!, pads[axis + rank]!) > n - 1))
    throw noGradientRule(node, 'in reflect mode with pads as large as the input');
  // Padding acts on each axis alone, so its adjoint is the axes' adjoints in any order.
  const padded = xShape.flatMap((_, axis) => (pads[axis]! > 0 || pads[axis + rank]! > 0 ? [axis] : []));
  return [
    padded.reduce(
      (grad, axis) => unpadAxis(grad, rank, axis, xShape[axis]!, pads[axis]!, pads[axis + rank]!, mode, ctx),
      dY,
    ),
  ];
};

/** `value` (of rank `rank`) padded with zeros along `axis`: `begin` before, `end` after. */
function padAxis(value: string, rank: number, axis: number, begin: number, end: number, ctx: GradContext): string {
  if (begin === 0 && end === 0) return value;
  const pads = Array<number>(2 * rank).fill(0);
  pads[axis] = begin;
  pads[axis + rank] = end;
  return ctx.add('Pad', [value, ctx.int64s(pads)]);
}

/** `value` reversed along `axes` (a Slice with step -1 from the last element to before the first). */
function reverseAxes(value: string, axes: number[], ctx: GradContext): string {
  return ctx.add('Slice', [
    value,
    ctx.int64s(axes.map(() => -1)),
    ctx.int64s(axes.map(() => -Number.MAX_SAFE_INTEGER)),
    ctx.int64s(axes),
    ctx.int64s(axes.map(() => -1)),
  ]);
}

/**
 * The adjoint of edge or reflect padding of an axis of length n by `begin` and `end` elements:
 * the middle n elements of the gradient, plus the padded elements' gradients added where they
 * were copied from. Edge copies the first (last) element: it receives the sum of the begin (end)
 * gradients. Reflect pads with x[begin], …, x[1] before and x[n-2], …, x[n-1-end] after: the
 * reversed begin gradients land on elements 1…begin, the reversed end ones on n-1-end…n-2.
 */
function unpadAxis(
  grad: string,
  rank: number,
  axis: number,
  n: number,
  begin: number,
  end: number,
  mode: 'edge' | 'reflect',
  ctx: GradContext,
): string {
  const parts = [ctx.sliceAxis(grad, axis, begin, n)];
  const fold = (start: number, count: number, atStart: boolean): void => {
    if (count === 0) return;
    const region = ctx.sliceAxis(grad, axis, start, count);
    if (mode === 'edge') {
      const summed = ctx.add('ReduceSum', [region, ctx.int64s([axis])], { keepdims: int(1) });
      parts.push(atStart ? padAxis(summed, rank, axis, 0, n - 1, ctx) : padAxis(summed, rank, axis, n - 1, 0, ctx));
    } else {
      const reversed = reverseAxes(region, [axis], ctx);
      parts.push(
        atStart
          ? padAxis(reversed, rank, axis, 1, n - 1 - count, ctx)
          : padAxis(reversed, rank, axis, n - 1 - count, 1, ctx),
      );
    }
  };
  fold(0, begin, true);
  fold(begin + n, end, false);
  return parts.reduce((a, b) => ctx.add('Add', [a, b]));
}

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
