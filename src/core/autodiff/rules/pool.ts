/** Vector-Jacobian products of the pooling ops. */
import { type Node, attrInt, attrInts, int, ints } from '../../onnx/ir.js';
import { product } from '../../onnx/shape-math.js';
import type { GradContext, GradRule } from '../grad-context.js';
import { premaskRelus } from './activation.js';
import { type WindowGeometry, transposedPads, windowGeometry } from './geometry.js';

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * How many elements each AveragePool window divides by, per output position ([1, 1, out…]).
 * Windows are clipped to the padded input when padding counts, to the input otherwise
 * (as ORT and PyTorch do for ceil_mode windows that run past the end).
 */
function windowCounts(g: WindowGeometry, inSpatial: number[], outSpatial: number[], includePad: boolean): Float32Array {
  const perAxis = outSpatial.map((out, i) =>
    Array.from({ length: out }, (_, o) => {
      const lowLimit = includePad ? -g.padsBegin[i]! : 0;
      const highLimit = includePad ? inSpatial[i]! + g.padsEnd[i]! : inSpatial[i]!;
      const start = o * g.strides[i]! - g.padsBegin[i]!;
      return Math.min(start + g.kernel[i]!, highLimit) - Math.max(start, lowLimit);
    }),
  );
  const counts = new Float32Array(product(outSpatial));
  counts.forEach((_, flat) => {
    let rem = flat;
    let count = 1;
    for (let i = outSpatial.length - 1; i >= 0; i--) {
      count *= perAxis[i]![rem % outSpatial[i]!]!;
      rem = Math.floor(rem / outSpatial[i]!);
    }
    counts[flat] = count;
  });
  return counts;
}

export const averagePoolGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const x = node.inputs[0]!;
  const xShape = ctx.shape(x);
  const outSpatial = ctx.shape(node.outputs[0]!).slice(2);
  const inSpatial = xShape.slice(2);
  const kernel = attrInts(node, 'kernel_shape', []);
  const g = windowGeometry(node, inSpatial, kernel);
  const counts = windowCounts(g, inSpatial, outSpatial, attrInt(node, 'count_include_pad', 0) === 1);
  const full = product(kernel);
  const uniform = counts.every((c) => c === full);
  const stride1 = g.strides.every((s) => s === 1);
  if (ctx.opts.fastPaths && stride1) {
    // Stride 1: the window sums are an AveragePool (times the kernel size) with pads k-1-p.
    const scale = uniform
      ? undefined
      : ctx.floats(
          [1, 1, ...outSpatial],
          counts.map((c) => full / c),
        );
    const pads = [...g.padsBegin, ...g.padsEnd].map((p, i) => kernel[i % kernel.length]! - 1 - p);
    const windowSums = (grad: string): string =>
      ctx.add('AveragePool', [grad], { kernel_shape: ints(kernel), pads: ints(pads), count_include_pad: int(1) });
    // Pooling acts on each channel alone, so channel slices of its input give channel slices of dX.
    if (scale) {
      // The scaling Mul runs in plain layout anyway (ORT's blocked Mul takes no constants), where a
      // channel Slice is a cheap copy.
      const scaled = ctx.add('Mul', [dY, scale]);
      const dX = windowSums(scaled);
      ctx.setChannelSlicer(dX, (start, count) => windowSums(ctx.sliceAxis(scaled, 1, start, count)));
      return [dX];
    }
    const dX = windowSums(dY);
    if (ctx.hasChannelSlicer(dY)) {
      ctx.setChannelSlicer(dX, (start, count) => windowSums(ctx.channelSlice(dY, start, count)!));
    }
    return [dX];
  }
  const channels = xShape[1]!;
  const scaled = ctx.add('Mul', [
    dY,
    ctx.floats(
      [1, 1, ...outSpatial],
      counts.map((c) => 1 / c),
    ),
  ]);
  const ones = ctx.floats([channels, 1, ...kernel], new Float32Array(channels * full).fill(1));
  const { pads, outputPadding } = transposedPads(g, inSpatial, outSpatial);
  return [
    ctx.add('ConvTranspose', [scaled, ones], {
      group: int(channels),
      strides: ints(g.strides),
      pads: ints(pads),
      output_padding: ints(outputPadding),
      kernel_shape: ints(kernel),
    }),
  ];
};

export const globalAveragePoolGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const xShape = ctx.shape(node.inputs[0]!);
  const scaled = ctx.add('Mul', [dY, ctx.scalar(1 / product(xShape.slice(2)))]);
  return [ctx.add('Expand', [scaled, ctx.int64s(xShape)])];
};

/** MaxPool's argmax indices (flat over the whole input tensor), asking the forward node for them. */
function maxPoolIndices(node: Node, ctx: GradContext): string {
  if (node.outputs.length < 2 || node.outputs[1] === '') node.outputs[1] = ctx.builder.fresh(`${node.name}_indices`);
  return node.outputs[1]!;
}

/**
 * General MaxPool backward: the output gradient scatter-added at the argmax indices, one row per
 * channel. ORT runs ScatterElements in parallel over the axes other than the scatter axis, so a
 * flat 1-D scatter runs on one thread; MaxPool's indices count from the start of the whole
 * tensor, so each channel's plane offset is subtracted to index within its row.
 */
function scatterMaxPoolGrad(node: Node, dY: string, ctx: GradContext): string {
  const xShape = ctx.shape(node.inputs[0]!);
  const rows = xShape[0]! * xShape[1]!;
  const plane = product(xShape.slice(2));
  const offsets = Array.from({ length: rows }, (_, row) => row * plane);
  const unit = xShape.slice(2).map(() => 1);
  const flat = maxPoolIndices(node, ctx);
  const inPlane = ctx.add('Sub', [flat, ctx.int64s(offsets, [xShape[0]!, xShape[1]!, ...unit])]);
  const indices = ctx.reshape(inPlane, [rows, -1]);
  const scattered = ctx.add(
    'ScatterElements',
    [computedZeros(indices, [rows, plane], ctx), indices, ctx.reshape(dY, [rows, -1])],
    { axis: int(1), reduction: { type: 'string', value: 'add' } },
  );
  return ctx.reshape(scattered, xShape);
}

/**
 * Float zeros of `shape` [rows, n] computed at run time from `indices` [rows, m] (int64, so the
 * zeros are exact whatever the values). ORT folds a ConstantOfShape into an initializer, which
 * ScatterElements must copy before adding into it; a computed buffer it overwrites in place,
 * and filling it costs half as much as that copy.
 */
function computedZeros(indices: string, shape: number[], ctx: GradContext): string {
  const zero = ctx.add('Mul', [ctx.sliceAxis(indices, 1, 0, 1), ctx.int64s([0])]);
  return ctx.add('Expand', [ctx.add('Cast', [zero], { to: int(1) }), ctx.int64s(shape)]);
}

/**
 * MaxPool backward for pools whose windows never overlap (e.g. 2x2 stride 2): MaxUnpool places
 * each output gradient at its argmax. It assigns rather than adds, which is exact only when no
 * two windows can pick the same input element; it is much faster than ScatterElements.
 * (Overlapping pools were measured with one unpooled plane per window phase plus a sum: slower
 * than the scatter on InceptionV3, so they keep the scatter.)
 */
function unpoolMaxPoolGrad(node: Node, dY: string, ctx: GradContext): string | undefined {
  const xShape = ctx.shape(node.inputs[0]!);
  const kernel = attrInts(node, 'kernel_shape', []);
  const g = windowGeometry(node, xShape.slice(2), kernel);
  if (g.extent.some((extent, axis) => extent > g.strides[axis]!)) return undefined;
  // MaxUnpool refuses an output smaller than its windows span: the end pads also count the part
  // of a ceil_mode window that runs past the input (no index points there; it stays below the
  // kernel size since every window starts inside the input).
  const { pads } = transposedPads(g, xShape.slice(2), ctx.shape(node.outputs[0]!).slice(2));
  return ctx.add('MaxUnpool', [dY, maxPoolIndices(node, ctx), ctx.int64s(xShape)], {
    kernel_shape: ints(kernel),
    strides: ints(g.strides),
    pads: ints(pads),
  });
}

/**
 * MaxPool backward without MaxPool's indices output (WebGPU's MaxPool has none). With channels
 * folded into the batch, a Conv with one-hot weights lays each window out as K planes (one per
 * kernel position, row-major), ArgMax over them picks the first maximum, as ORT's MaxPool does
 * (it scans a window row-major and keeps the first maximum), and a ConvTranspose with the same
 * weights adds the output gradient back at the chosen positions. Copying through one-hot weights
 * is exact for finite values; padding holds the lowest float so that it never wins.
 */
function indicesFreeMaxPoolGrad(node: Node, dY: string, ctx: GradContext): string {
  const xShape = ctx.shape(node.inputs[0]!);
  const planes = xShape[0]! * xShape[1]!;
  const inSpatial = xShape.slice(2);
  const outSpatial = ctx.shape(node.outputs[0]!).slice(2);
  const kernel = attrInts(node, 'kernel_shape', []);
  const positions = product(kernel);
  const g = windowGeometry(node, inSpatial, kernel);
  const { pads, outputPadding } = transposedPads(g, inSpatial, outSpatial);
  const rank = inSpatial.length;
  const x = ctx.reshape(node.inputs[0]!, [planes, 1, ...inSpatial]);
  const padded = pads.every((p) => p === 0)
    ? x
    : ctx.add('Pad', [
        x,
        ctx.int64s([0, 0, ...pads.slice(0, rank), 0, 0, ...pads.slice(rank)]),
        ctx.scalar(-FLOAT32_MAX),
      ]);
  const windowAttrs = { kernel_shape: ints(kernel), strides: ints(g.strides), dilations: ints(g.dilations) };
  const identity = Array.from({ length: positions * positions }, (_, i) => (i % (positions + 1) === 0 ? 1 : 0));
  const weights = ctx.floats([positions, 1, ...kernel], identity);
  const windows = ctx.add('Conv', [padded, weights], windowAttrs);
  const chosen = ctx.add('ArgMax', [windows], { axis: int(1), keepdims: int(1) });
  const unit = outSpatial.map(() => 1);
  const positionIds = ctx.int64s(
    Array.from({ length: positions }, (_, k) => k),
    [1, positions, ...unit],
  );
  // Cast and Mul rather than Where: ORT's broadcasting Where is slower.
  const perPosition = ctx.add('Mul', [
    ctx.add('Cast', [ctx.add('Equal', [chosen, positionIds])], { to: int(1) }),
    ctx.reshape(dY, [planes, 1, ...outSpatial]),
  ]);
  const dX = ctx.add('ConvTranspose', [perPosition, weights], {
    ...windowAttrs,
    pads: ints(pads),
    output_padding: ints(outputPadding),
  });
  return ctx.reshape(dX, xShape);
}

export const maxPoolGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const masked = premaskRelus(node, [node.inputs[0]!], (v) => ctx.shape(v)[1]!, dY, ctx) ?? dY;
  // Column-major indices (storage_order 1) would need converting; the pool picks the same elements.
  if (ctx.opts.maxPoolBackward === 'indicesFree' || attrInt(node, 'storage_order', 0) !== 0)
    return [indicesFreeMaxPoolGrad(node, masked, ctx)];
  const unpooled = ctx.opts.fastPaths ? unpoolMaxPoolGrad(node, masked, ctx) : undefined;
  return [unpooled ?? scatterMaxPoolGrad(node, masked, ctx)];
};
