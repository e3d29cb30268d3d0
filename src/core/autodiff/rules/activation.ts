/** Vector-Jacobian products of activations and normalizations. */
import { type Node, attrFloat, attrInt, int, ints } from '../../onnx/ir.js';
import type { GradContext, GradRule } from '../grad-context.js';
import { noGradientRule, trainingModeError } from './errors.js';

/** dY where `condition` holds, 0 elsewhere. */
function gate(condition: string, dY: string, ctx: GradContext): string {
  return ctx.add('Where', [condition, dY, ctx.scalar(0)]);
}

/**
 * clip(scale[c] * y + bias[c], 0, 1) as a depthwise 1x1 Conv and a Clip: ORT fuses the Clip into
 * the Conv and keeps it, and the following Mul, in its blocked (NCHWc) layout, where
 * Where/Cast/Sign would force layout conversions. No bias input when `bias` is undefined.
 */
function clippedChannelAffine(
  y: string,
  scale: Float32Array | number[],
  bias: Float32Array | number[] | undefined,
  spatialRank: number,
  ctx: GradContext,
): string {
  const c = scale.length;
  const unit = Array<number>(spatialRank).fill(1);
  const inputs = [y, ctx.floats([c, 1, ...unit], scale)];
  if (bias) inputs.push(ctx.floats([c], bias));
  const scaled = ctx.add('Conv', inputs, { group: int(c), kernel_shape: ints(unit) });
  return ctx.add('Clip', [scaled, ctx.scalar(0), ctx.scalar(1)]);
}

/**
 * ReLU mask 1[y > 0] as a clipped per-channel scale by 2^126 (see clippedChannelAffine).
 * 2^126 maps every normal positive float to >= 1; only subnormal outputs (< 1.2e-38) would get
 * a fractional mask. Channels where `masked` is false get weight 0 and bias 1, i.e. mask 1.
 */
function blockedReluMask(y: string, masked: boolean[], spatialRank: number, ctx: GradContext): string {
  const scale = masked.map((m) => (m ? 2 ** 126 : 0));
  const bias = masked.some((m) => !m) ? masked.map((m) => (m ? 0 : 1)) : undefined;
  return clippedChannelAffine(y, scale, bias, spatialRank, ctx);
}

/**
 * Applies the ReLU masks of those `inputs` of `node` that are ReLU outputs read by nothing else
 * to `node`'s output gradient instead, using the mask of `node`'s output, for ops that pass each
 * element on unchanged or drop it: a channel Concat (`channelsOf` gives each input's channel
 * count; other inputs' channels keep mask 1) or a MaxPool (whose chosen element equals the
 * window maximum). One blocked-layout mask on the output replaces per-input masks on a larger
 * tensor (MaxPool) or in plain layout after a Split (Concat). Undefined when no input qualifies.
 */
export function premaskRelus(
  node: Node,
  inputs: string[],
  channelsOf: (v: string) => number,
  dY: string,
  ctx: GradContext,
): string | undefined {
  const y = node.outputs[0]!;
  const shape = ctx.shape(y);
  if (!ctx.opts.fastPaths || shape.length < 3) return undefined;
  const premaskable = (v: string): boolean =>
    ctx.producer(v)?.opType === 'Relu' && ctx.consumers(v).length === 1 && !ctx.objectiveLayers.has(v);
  const chosen = inputs.filter(premaskable);
  if (chosen.length === 0) return undefined;
  chosen.forEach((v) => ctx.premaskedRelus.add(v));
  const masked = inputs.flatMap((v) => Array<boolean>(channelsOf(v)).fill(chosen.includes(v)));
  return ctx.add('Mul', [dY, blockedReluMask(y, masked, shape.length - 2, ctx)]);
}

export const reluGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const y = node.outputs[0]!;
  if (ctx.premaskedRelus.has(y)) return [dY];
  const shape = ctx.shape(y);
  if (ctx.opts.fastPaths && shape.length >= 3) {
    return [ctx.add('Mul', [dY, blockedReluMask(y, Array<boolean>(shape[1]!).fill(true), shape.length - 2, ctx)])];
  }
  return [gate(ctx.add('Greater', [y, ctx.scalar(0)]), dY, ctx)];
};

/** Twice the reciprocal of the float32 spacing at |v| (a power of two): v ± one step, scaled, is >= 2 away. */
function stepScale(v: number): number {
  if (v === 0) return 2 ** 126;
  const exponent = Math.floor(Math.log2(Math.abs(Math.fround(v))));
  return 2 ** (23 - exponent + 1);
}

/**
 * Clip mask 1[lo < y < hi] from the Clip output y, as clipped per-channel affine maps (one per
 * finite bound, multiplied; see clippedChannelAffine): it reads y, so ORT still fuses the
 * forward Conv + Clip, and everything stays in the blocked layout.
 * s * (y - lo) with s twice the reciprocal float spacing at lo is >= 1 for every float y > lo
 * and 0 at y = lo (likewise at hi). Strict bounds are TensorFlow's relu6 convention; clamp
 * also passes the gradient when the input sits exactly on a bound (a kink, measure zero).
 */
function blockedClipMask(y: string, lo: number, hi: number, ctx: GradContext): string {
  const shape = ctx.shape(y);
  const c = shape[1]!;
  const side = (scale: number, bias: number): string =>
    clippedChannelAffine(y, new Float32Array(c).fill(scale), new Float32Array(c).fill(bias), shape.length - 2, ctx);
  const masks: string[] = [];
  if (Number.isFinite(lo)) masks.push(side(stepScale(lo), -stepScale(lo) * lo));
  if (Number.isFinite(hi)) masks.push(side(-stepScale(hi), stepScale(hi) * hi));
  return masks.reduce((a, b) => ctx.add('Mul', [a, b]));
}

/**
 * Clip passes the gradient where min <= x <= max (as PyTorch's clamp does); the fast path uses
 * strict bounds on the output (see blockedClipMask).
 */
export const clipGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const [x, min, max] = node.inputs as [string, string?, string?];
  if ([min, max].some((v) => v !== undefined && ctx.needsGrad(v)))
    throw noGradientRule(node, 'with bounds that depend on the image');
  const bound = (input: string | undefined, attr: string, fallback: number): number =>
    input ? ctx.constantValues(input, node)[0]! : attrFloat(node, attr, fallback);
  const lo = bound(min, 'min', -Infinity);
  const hi = bound(max, 'max', Infinity);
  const blockable = [lo, hi].some(Number.isFinite) && lo < hi && ctx.shape(x).length >= 3;
  if (ctx.opts.fastPaths && blockable) return [ctx.add('Mul', [dY, blockedClipMask(node.outputs[0]!, lo, hi, ctx)])];
  const inside = ctx.add('And', [
    ctx.add('GreaterOrEqual', [x, ctx.scalar(lo)]),
    ctx.add('LessOrEqual', [x, ctx.scalar(hi)]),
  ]);
  return [gate(inside, dY, ctx)];
};

export const leakyReluGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const alpha = attrFloat(node, 'alpha', 0.01);
  const positive = ctx.add('Greater', [node.inputs[0]!, ctx.scalar(0)]);
  return [ctx.add('Where', [positive, dY, ctx.add('Mul', [dY, ctx.scalar(alpha)])])];
};

/**
 * HardSigmoid y = clip(alpha * x + beta, 0, 1): dx = alpha * dy where 0 < y < 1 (strict, as
 * PyTorch's hardsigmoid backward; y equals alpha * x + beta exactly there).
 */
export const hardSigmoidGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const y = node.outputs[0]!;
  const inside = ctx.add('And', [ctx.add('Greater', [y, ctx.scalar(0)]), ctx.add('Less', [y, ctx.scalar(1)])]);
  return [gate(inside, ctx.add('Mul', [dY, ctx.scalar(attrFloat(node, 'alpha', 0.2))]), ctx)];
};

/**
 * HardSwish y = x * clip(x / 6 + 1/2, 0, 1): dy/dx is 0 below -3, 1 above 3 and x / 3 + 1/2 in
 * between, bounds included (as PyTorch's hardswish backward).
 */
export const hardSwishGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const x = node.inputs[0]!;
  const ramp = ctx.add('Add', [ctx.add('Mul', [x, ctx.scalar(1 / 3)]), ctx.scalar(0.5)]);
  const upper = ctx.add('Where', [ctx.add('Greater', [x, ctx.scalar(3)]), ctx.scalar(1), ramp]);
  const slope = ctx.add('Where', [ctx.add('Less', [x, ctx.scalar(-3)]), ctx.scalar(0), upper]);
  return [ctx.add('Mul', [dY, slope])];
};

/** Sigmoid: dx = dy * y * (1 - y); Tanh: dx = dy * (1 - y^2). */
export const sigmoidGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const y = node.outputs[0]!;
  return [ctx.add('Mul', [dY, ctx.add('Mul', [y, ctx.add('Sub', [ctx.scalar(1), y])])])];
};

export const tanhGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const y = node.outputs[0]!;
  return [ctx.add('Mul', [dY, ctx.add('Sub', [ctx.scalar(1), ctx.add('Mul', [y, y])])])];
};

/** dx = y * (dy - sum(dy * y)) over the softmax axes. */
export const softmaxGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const y = node.outputs[0]!;
  const rank = ctx.shape(y).length;
  const axis = (attrInt(node, 'axis', -1) + rank) % rank;
  const dot = ctx.add('ReduceSum', [ctx.add('Mul', [dY, y]), ctx.int64s([axis])], { keepdims: int(1) });
  return [ctx.add('Mul', [y, ctx.add('Sub', [dY, dot])])];
};

/** Inference-mode BatchNormalization is a per-channel affine map: dx = dy * scale / sqrt(var + eps). */
export const batchNormGrad: GradRule = (node, [dY], ctx) => {
  const [x, scale, , , variance] = node.inputs as [string, string, string, string, string];
  if (node.inputs.slice(1).some((v) => ctx.needsGrad(v)))
    throw noGradientRule(node, 'with statistics that depend on the image');
  const training = trainingModeError(ctx.graph, node);
  if (training) throw training;
  if (!dY || !ctx.needsGrad(x)) return [];
  const rank = ctx.shape(x).length;
  const std = ctx.add('Sqrt', [ctx.add('Add', [variance, ctx.scalar(attrFloat(node, 'epsilon', 1e-5))])]);
  const factor = ctx.add('Unsqueeze', [
    ctx.add('Div', [scale, std]),
    ctx.int64s(Array.from({ length: rank - 2 }, (_, i) => i + 1)),
  ]);
  return [ctx.add('Mul', [dY, factor])];
};

/** Sums over a channel window [c - before, c + after] (clipped to the tensor), by a ones Conv. */
function channelWindowSum(t: string, shape: number[], before: number, after: number, ctx: GradContext): string {
  const [n, c] = shape as [number, number];
  const rest = shape.slice(2).reduce((a, b) => a * b, 1);
  const size = before + after + 1;
  const planar = ctx.reshape(t, [n, 1, c, rest]);
  const summed = ctx.add('Conv', [planar, ctx.floats([1, 1, size, 1], new Float32Array(size).fill(1))], {
    pads: ints([before, 0, after, 0]),
    kernel_shape: ints([size, 1]),
  });
  return ctx.reshape(summed, shape);
}

/**
 * LRN: y = x * d^-beta with d = bias + alpha/size * window sum of x^2, so
 * dx = dy * d^-beta - (2 alpha beta / size) * x * (transposed window sum of dy * y / d).
 */
export const lrnGrad: GradRule = (node: Node, [dY], ctx) => {
  if (!dY) return [];
  const x = node.inputs[0]!;
  const y = node.outputs[0]!;
  const shape = ctx.shape(x);
  const size = attrInt(node, 'size', 1);
  const alpha = attrFloat(node, 'alpha', 1e-4);
  const beta = attrFloat(node, 'beta', 0.75);
  const lo = Math.floor((size - 1) / 2);
  const hi = size - 1 - lo;
  const windowSq = channelWindowSum(ctx.add('Mul', [x, x]), shape, lo, hi, ctx);
  const d = ctx.add('Add', [
    ctx.add('Mul', [windowSq, ctx.scalar(alpha / size)]),
    ctx.scalar(attrFloat(node, 'bias', 1)),
  ]);
  const direct = ctx.add('Mul', [dY, ctx.add('Pow', [d, ctx.scalar(-beta)])]);
  const back = channelWindowSum(ctx.add('Div', [ctx.add('Mul', [dY, y]), d]), shape, hi, lo, ctx);
  const cross = ctx.add('Mul', [ctx.add('Mul', [x, back]), ctx.scalar((2 * alpha * beta) / size)]);
  return [ctx.add('Sub', [direct, cross])];
};
