/**
 * One emitter per supported Keras layer class: each appends the ONNX nodes (NCHW) computing
 * the layer and records which tensor carries its output.
 */
import { floatTensor, int, int64Tensor, ints, str, type Attribute } from '../../onnx/ir.js';
import type { GraphWriter } from './graph-writer.js';
import { batchNormAffine, convWeights, foldBatchNorm } from './kernels.js';
import { concatAxis, type KerasShape } from './shapes.js';
import { onnxPadding, onnxPadsOrder, windowOf, zeroPadding, type OnnxPadding } from './spatial.js';
import type { KerasLayer, KerasTopology } from './topology.js';
import type { KerasWeights } from './weights.js';

export const IMAGE_INPUT = 'image';

export interface EmitContext {
  out: GraphWriter;
  topology: KerasTopology;
  weights: KerasWeights;
  /** Keras shapes at the default input size (for channel counts). */
  shapes: Map<string, KerasShape>;
  /** The tensor carrying each emitted layer's output. */
  tensorOf: Map<string, string>;
  /** Layers folded into a neighbour, with the reason. */
  absent: Map<string, string>;
  /** The layer's only consumer in the converted graph, unless the layer itself is an output. */
  soleConsumer(layer: KerasLayer): KerasLayer | undefined;
}

type Emitter = (layer: KerasLayer, ctx: EmitContext) => void;

const CONVOLUTIONS = new Set(['Conv2D', 'DepthwiseConv2D']);
const ACTIVATIONS: Record<string, string> = { relu: 'Relu', linear: 'Identity' };
/** Keras per-example axis (H, W, C) to NCHW axis. */
const NCHW_AXIS = [2, 3, 1];

const input = (ctx: EmitContext, layer: KerasLayer, i = 0): string => ctx.tensorOf.get(layer.inputs[i]!)!;

/** Emits one node whose output is the layer's tensor. */
function single(
  ctx: EmitContext,
  layer: KerasLayer,
  opType: string,
  inputs: string[],
  attributes: Record<string, Attribute> = {},
): void {
  ctx.tensorOf.set(layer.name, ctx.out.node(opType, inputs, attributes, layer.name, true));
}

function paddingAttributes(padding: OnnxPadding): Record<string, Attribute> {
  return 'pads' in padding ? { pads: ints(onnxPadsOrder(padding.pads)) } : { auto_pad: str(padding.autoPad) };
}

function activationOp(layer: KerasLayer, activation: string): string {
  const op = ACTIVATIONS[activation];
  if (!op) {
    throw layer.config.error(
      `activation ${activation} is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`,
    );
  }
  return op;
}

/** The Keras preprocessing x/127.5 - 1, so that the graph input is 0..255 pixels. */
const inputLayer: Emitter = (layer, ctx) => {
  const scaled = ctx.out.node(
    'Mul',
    [IMAGE_INPUT, ctx.out.scalar('pixel_scale', 1 / 127.5)],
    {},
    `${layer.name}/scale`,
  );
  single(ctx, layer, 'Add', [scaled, ctx.out.scalar('pixel_shift', -1)]);
};

/** Folded into the consuming convolution's pads when it has explicit pads; a Pad node otherwise. */
const zeroPadding2D: Emitter = (layer, ctx) => {
  const [top, bottom, left, right] = zeroPadding(layer);
  const user = ctx.soleConsumer(layer);
  if (user && CONVOLUTIONS.has(user.className) && 'pads' in onnxPadding(windowOf(user))) {
    ctx.absent.set(layer.name, `zero padding folded into ${user.name}`);
    return;
  }
  const pads = ctx.out.constant(`${layer.name}/pads`, int64Tensor([8], [0, 0, top, left, 0, 0, bottom, right]));
  single(ctx, layer, 'Pad', [input(ctx, layer), pads]);
};

/** Conv or grouped Conv; a following BatchNormalization is folded in and names the output. */
const convolution: Emitter = (layer, ctx) => {
  const c = layer.config;
  const source = ctx.topology.byName.get(layer.inputs[0]!)!;
  const padded = source.className === 'ZeroPadding2D' && ctx.absent.has(source.name);
  const x = padded ? input(ctx, source) : input(ctx, layer);
  const inChannels = ctx.shapes.get(source.name)![2]!;
  const activation = c.string('activation', 'linear');
  const next = activation === 'linear' ? ctx.soleConsumer(layer) : undefined;
  const bn = next?.className === 'BatchNormalization' ? next : undefined;
  let weights = convWeights(layer, ctx.weights, inChannels);
  if (bn) {
    weights = foldBatchNorm(bn, ctx.weights, weights);
    ctx.absent.set(layer.name, `folded into ${bn.name} (its BatchNormalization)`);
  }
  const window = windowOf(layer);
  const attributes: Record<string, Attribute> = {
    kernel_shape: ints(window.kernel),
    strides: ints(window.strides),
    dilations: ints(window.dilation),
    group: int(layer.className === 'DepthwiseConv2D' ? inChannels : 1),
    ...paddingAttributes(onnxPadding(window, padded ? zeroPadding(source) : undefined)),
  };
  const inputs = [x, ctx.out.constant(`${layer.name}/kernel`, weights.kernel)];
  if (weights.bias) inputs.push(ctx.out.constant(`${layer.name}/bias`, weights.bias));
  const output = bn ?? layer;
  if (activation === 'linear') {
    single(ctx, output, 'Conv', inputs, attributes);
  } else {
    const conv = ctx.out.node('Conv', inputs, attributes, `${output.name}/conv`);
    single(ctx, output, activationOp(layer, activation), [conv]);
  }
};

/** A BatchNormalization not folded into a convolution: per-channel Mul and Add. */
const batchNormalization: Emitter = (layer, ctx) => {
  const { scale, shift } = batchNormAffine(layer, ctx.weights);
  const perChannel = (what: string, values: Float64Array) =>
    ctx.out.constant(`${layer.name}/${what}`, floatTensor([values.length, 1, 1], Float32Array.from(values)));
  const scaled = ctx.out.node('Mul', [input(ctx, layer), perChannel('scale', scale)], {}, `${layer.name}/mul`);
  single(ctx, layer, 'Add', [scaled, perChannel('shift', shift)]);
};

const activationLayer: Emitter = (layer, ctx) =>
  single(ctx, layer, activationOp(layer, layer.config.string('activation')), [input(ctx, layer)]);

/** ReLU, optionally capped (ReLU6 in MobileNetV2) as Clip. */
const relu: Emitter = (layer, ctx) => {
  const c = layer.config;
  if (c.number('negative_slope', 0) !== 0 || c.number('threshold', 0) !== 0) {
    throw c.error('negative_slope and threshold must be 0');
  }
  if (!c.has('max_value')) return single(ctx, layer, 'Relu', [input(ctx, layer)]);
  const bounds = [ctx.out.scalar(`${layer.name}/min`, 0), ctx.out.scalar(`${layer.name}/max`, c.number('max_value'))];
  single(ctx, layer, 'Clip', [input(ctx, layer), ...bounds]);
};

const pooling: Emitter = (layer, ctx) => {
  const window = windowOf(layer);
  const isMax = layer.className === 'MaxPooling2D';
  single(ctx, layer, isMax ? 'MaxPool' : 'AveragePool', [input(ctx, layer)], {
    kernel_shape: ints(window.kernel),
    strides: ints(window.strides),
    ...paddingAttributes(onnxPadding(window)),
    // TensorFlow averages over the real pixels only, never the 'same' padding.
    ...(isMax ? {} : { count_include_pad: int(0) }),
  });
};

const concatenate: Emitter = (layer, ctx) =>
  single(
    ctx,
    layer,
    'Concat',
    layer.inputs.map((_, i) => input(ctx, layer, i)),
    { axis: int(NCHW_AXIS[concatAxis(layer, 3)]!) },
  );

/** A chain of two-input Adds: ORT fuses those into the producing Conv (an n-ary Sum it does not). */
const add: Emitter = (layer, ctx) => {
  if (layer.inputs.length < 2) throw layer.config.error('needs at least two inputs');
  let sum = input(ctx, layer, 0);
  for (let i = 1; i < layer.inputs.length - 1; i++) {
    sum = ctx.out.node('Add', [sum, input(ctx, layer, i)], {}, `${layer.name}/partial`);
  }
  single(ctx, layer, 'Add', [sum, input(ctx, layer, layer.inputs.length - 1)]);
};

export const LAYER_EMITTERS: Record<string, Emitter> = {
  InputLayer: inputLayer,
  ZeroPadding2D: zeroPadding2D,
  Conv2D: convolution,
  DepthwiseConv2D: convolution,
  BatchNormalization: batchNormalization,
  Activation: activationLayer,
  ReLU: relu,
  MaxPooling2D: pooling,
  AveragePooling2D: pooling,
  Concatenate: concatenate,
  Add: add,
};
