/** Vector-Jacobian products of Conv and ConvTranspose with respect to their data input. */
import { type Attribute, type Node, attrInt, attrInts, int, ints } from '../../onnx/ir.js';
import { convTransposeGeometry } from '../../onnx/shape-math.js';
import type { GradContext, GradRule } from '../grad-context.js';
import { noGradientRule } from './errors.js';
import { transposedPads, windowGeometry } from './geometry.js';

/** Only the data input is differentiated: weights and biases computed from the image are not supported. */
function assertConstantParameters(node: Node, ctx: GradContext): void {
  if (node.inputs.slice(1).some((v) => ctx.needsGrad(v)))
    throw noGradientRule(node, 'with weights that depend on the image');
}

/**
 * Conv weights [O, I/g, k…] rearranged for the backward Conv: [I, O/g, k…] (input and output
 * channels swapped within each group) and flipped spatially. Written as ops on the initializer,
 * which ORT constant-folds at session creation, so the file does not carry a second copy.
 */
function flippedTransposedWeights(w: string, wShape: number[], group: number, ctx: GradContext): string {
  const [outChannels, inPerGroup, ...kernel] = wShape as [number, number, ...number[]];
  const outPerGroup = outChannels / group;
  const spatialAxes = kernel.map((_, i) => i + 2);
  let swapped = w;
  if (group === 1) {
    swapped = ctx.transpose(w, [1, 0, ...spatialAxes]);
  } else if (inPerGroup !== 1 || outPerGroup !== 1) {
    const grouped = ctx.reshape(w, [group, outPerGroup, inPerGroup, ...kernel]);
    const t = ctx.transpose(grouped, [0, 2, 1, ...spatialAxes.map((a) => a + 1)]);
    swapped = ctx.reshape(t, [group * inPerGroup, outPerGroup, ...kernel]);
  }
  return ctx.add('Slice', [
    swapped,
    ctx.int64s(kernel.map(() => -1)),
    ctx.int64s(kernel.map((k) => -k - 1)),
    ctx.int64s(spatialAxes),
    ctx.int64s(kernel.map(() => -1)),
  ]);
}

export const convGrad: GradRule = (node, [dY], ctx) => {
  assertConstantParameters(node, ctx);
  const [x, w] = node.inputs as [string, string];
  if (!dY || !ctx.needsGrad(x)) return [];
  const xShape = ctx.shape(x);
  const wShape = ctx.shape(w);
  const inSpatial = xShape.slice(2);
  const g = windowGeometry(node, inSpatial, attrInts(node, 'kernel_shape', wShape.slice(2)));
  const group = attrInt(node, 'group', 1);
  const stride1 = g.strides.every((s) => s === 1);
  const fitsKernel = [...g.padsBegin, ...g.padsEnd].every((p, i) => p <= g.extent[i % g.extent.length]! - 1);
  if (ctx.opts.fastPaths && stride1 && fitsKernel) {
    // Stride 1: the adjoint is a plain Conv, which runs on ORT's fast blocked-layout path.
    const pads = [...g.padsBegin.map((p, i) => g.extent[i]! - 1 - p), ...g.padsEnd.map((p, i) => g.extent[i]! - 1 - p)];
    const wFlipped = flippedTransposedWeights(w, wShape, group, ctx);
    const attributes = {
      dilations: ints(g.dilations),
      group: int(group),
      pads: ints(pads),
      kernel_shape: ints(g.kernel),
    };
    return [channelSliceable('Conv', dY, wFlipped, 0, attributes, group, ctx)];
  }
  const { pads, outputPadding } = transposedPads(g, inSpatial, ctx.shape(node.outputs[0]!).slice(2));
  const attributes = {
    strides: ints(g.strides),
    dilations: ints(g.dilations),
    group: int(group),
    pads: ints(pads),
    output_padding: ints(outputPadding),
    kernel_shape: ints(g.kernel),
  };
  return [channelSliceable('ConvTranspose', dY, w, 1, attributes, group, ctx)];
};

/**
 * `op` (Conv or ConvTranspose) of dY with `weights`; with one group, a channel range of the result
 * is the same op with the weights sliced along their output-channel axis `weightAxis`.
 */
function channelSliceable(
  op: 'Conv' | 'ConvTranspose',
  dY: string,
  weights: string,
  weightAxis: number,
  attributes: Record<string, Attribute>,
  group: number,
  ctx: GradContext,
): string {
  const dX = ctx.add(op, [dY, weights], attributes);
  if (group === 1) {
    ctx.setChannelSlicer(dX, (start, count) =>
      ctx.add(op, [dY, ctx.sliceAxis(weights, weightAxis, start, count)], attributes),
    );
  }
  return dX;
}

/**
 * The adjoint of ConvTranspose is the Conv with the same weights, strides and the pads it
 * crops (given, or implied by output_shape or auto_pad). The Conv never reads the trailing
 * elements output_padding or a larger output_shape add, which depend on no input.
 */
export const convTransposeGrad: GradRule = (node, [dY], ctx) => {
  assertConstantParameters(node, ctx);
  const [x, w] = node.inputs as [string, string];
  if (!dY || !ctx.needsGrad(x)) return [];
  const g = convTransposeGeometry(node, ctx.shape(x).slice(2), ctx.shape(w).slice(2));
  return [
    ctx.add('Conv', [dY, w], {
      strides: ints(g.strides),
      dilations: ints(g.dilations),
      group: int(attrInt(node, 'group', 1)),
      pads: ints(g.pads),
      kernel_shape: ints(g.kernel),
    }),
  ];
};
