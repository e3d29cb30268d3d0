/**
 * Caffe layer types as ONNX nodes. Each converter receives the layer's prototxt block, its
 * learned blobs and the current values of its bottoms, and returns the values of its tops.
 */
import { type Attribute, type Tensor, floatTensor, float, int, ints, int64Tensor } from '../../onnx/ir.js';
import type { TextMessage } from './prototxt.js';
import type { Blob } from './weights.js';

export interface LayerEmitter {
  /** Adds a node whose single output becomes a new value; returns its name. */
  node(opType: string, inputs: string[], attributes?: Record<string, Attribute>): string;
  /** Adds a constant; returns its name. */
  constant(hint: string, tensor: Tensor): string;
}

export interface CaffeLayer {
  name: string;
  type: string;
  params: TextMessage;
  bottoms: string[];
  blobs: Blob[];
}

type LayerConverter = (layer: CaffeLayer, emit: LayerEmitter) => string[];

const layerError = (layer: CaffeLayer, message: string): Error =>
  new Error(`Caffe layer '${layer.name}' (${layer.type}): ${message}`);

function requireBlobs(layer: CaffeLayer, count: number): Blob[] {
  if (layer.blobs.length < count) {
    throw layerError(
      layer,
      `the caffemodel has ${layer.blobs.length} weight blobs for it, ${count} needed (do prototxt and caffemodel belong together?)`,
    );
  }
  return layer.blobs;
}

function singleBottom(layer: CaffeLayer): string {
  if (layer.bottoms.length !== 1) throw layerError(layer, `expects one bottom, has ${layer.bottoms.length}`);
  return layer.bottoms[0]!;
}

/**
 * A 2-D window parameter given as `x_h`/`x_w`, or as `x` (one value, or one per axis for
 * Convolution); the kernel's single form is `kernel_size`.
 */
function windowPair(p: TextMessage, name: string, fallback: number): [number, number] {
  const h = p.numbers(`${name}_h`).at(-1);
  const w = p.numbers(`${name}_w`).at(-1);
  if (h !== undefined || w !== undefined) return [h ?? fallback, w ?? fallback];
  const values = p.numbers(name === 'kernel' ? 'kernel_size' : name);
  const first = values[0] ?? fallback;
  return [first, values[1] ?? first];
}

/** A per-channel vector shaped to broadcast over NCHW. */
const channelVector = (values: Float32Array): Tensor => floatTensor([values.length, 1, 1], values);

const convolution: LayerConverter = (layer, emit) => {
  const p = layer.params.message('convolution_param');
  if (!p) throw layerError(layer, 'has no convolution_param');
  const [kh, kw] = windowPair(p, 'kernel', 0);
  if (!kh || !kw) throw layerError(layer, 'convolution_param has no kernel size');
  const numOutput = p.number('num_output', 0);
  const biasTerm = p.bool('bias_term', true);
  const [weight, bias] = requireBlobs(layer, biasTerm ? 2 : 1);
  const wDims = weight!.dims.length === 4 ? weight!.dims : [];
  if (wDims[0] !== numOutput || wDims[2] !== kh || wDims[3] !== kw) {
    throw layerError(
      layer,
      `weight blob shape ${JSON.stringify(weight!.dims)} does not match num_output ${numOutput} and kernel ${kh}x${kw}`,
    );
  }
  const [ph, pw] = windowPair(p, 'pad', 0);
  const inputs = [singleBottom(layer), emit.constant(`${layer.name}:weight`, floatTensor(wDims, weight!.data))];
  if (biasTerm) inputs.push(emit.constant(`${layer.name}:bias`, floatTensor([numOutput], bias!.data)));
  return [
    emit.node('Conv', inputs, {
      kernel_shape: ints([kh, kw]),
      strides: ints(windowPair(p, 'stride', 1)),
      pads: ints([ph, pw, ph, pw]),
      dilations: ints(windowPair(p, 'dilation', 1)),
      group: int(p.number('group', 1)),
    }),
  ];
};

const relu: LayerConverter = (layer, emit) => {
  const slope = layer.params.message('relu_param')?.number('negative_slope', 0) ?? 0;
  const x = singleBottom(layer);
  return [slope === 0 ? emit.node('Relu', [x]) : emit.node('LeakyRelu', [x], { alpha: float(slope) })];
};

const POOL_METHODS = ['MAX', 'AVE', 'STOCHASTIC'];

/**
 * Caffe pools with rounded-up output sizes and drops a last window that would start in the
 * padding; ONNX ceil_mode does the same. Caffe's average divides by the window clipped to the
 * padded input, which is AveragePool with count_include_pad.
 */
const pooling: LayerConverter = (layer, emit) => {
  const p = layer.params.message('pooling_param');
  if (!p) throw layerError(layer, 'has no pooling_param');
  const method = p.enumName('pool', POOL_METHODS, 'MAX');
  if (method !== 'MAX' && method !== 'AVE')
    throw layerError(layer, `pool method ${method} is not supported (MAX and AVE are)`);
  const x = singleBottom(layer);
  if (p.bool('global_pooling', false))
    return [emit.node(method === 'MAX' ? 'GlobalMaxPool' : 'GlobalAveragePool', [x])];
  const [kh, kw] = windowPair(p, 'kernel', 0);
  if (!kh || !kw) throw layerError(layer, 'pooling_param has no kernel size');
  const [ph, pw] = windowPair(p, 'pad', 0);
  const attributes: Record<string, Attribute> = {
    kernel_shape: ints([kh, kw]),
    strides: ints(windowPair(p, 'stride', 1)),
    pads: ints([ph, pw, ph, pw]),
    ceil_mode: int(1),
  };
  if (method === 'AVE') attributes['count_include_pad'] = int(1);
  return [emit.node(method === 'MAX' ? 'MaxPool' : 'AveragePool', [x], attributes)];
};

const NORM_REGIONS = ['ACROSS_CHANNELS', 'WITHIN_CHANNEL'];

/** Caffe's and ONNX's LRN agree: both divide alpha by the window size. */
const lrn: LayerConverter = (layer, emit) => {
  const p = layer.params.message('lrn_param');
  const region = p?.enumName('norm_region', NORM_REGIONS, 'ACROSS_CHANNELS') ?? 'ACROSS_CHANNELS';
  if (region !== 'ACROSS_CHANNELS')
    throw layerError(layer, `norm_region ${region} is not supported (ACROSS_CHANNELS is)`);
  return [
    emit.node('LRN', [singleBottom(layer)], {
      size: int(p?.number('local_size', 5) ?? 5),
      alpha: float(p?.number('alpha', 1) ?? 1),
      beta: float(p?.number('beta', 0.75) ?? 0.75),
      bias: float(p?.number('k', 1) ?? 1),
    }),
  ];
};

const concat: LayerConverter = (layer, emit) => {
  const p = layer.params.message('concat_param');
  const axis = p?.has('axis') ? p.number('axis', 1) : (p?.number('concat_dim', 1) ?? 1);
  return [emit.node('Concat', layer.bottoms, { axis: int(axis) })];
};

const innerProduct: LayerConverter = (layer, emit) => {
  const p = layer.params.message('inner_product_param');
  if (!p) throw layerError(layer, 'has no inner_product_param');
  const numOutput = p.number('num_output', 0);
  const biasTerm = p.bool('bias_term', true);
  const transpose = p.bool('transpose', false);
  const [weight, bias] = requireBlobs(layer, biasTerm ? 2 : 1);
  const inputs = weight!.data.length / numOutput;
  if (!Number.isInteger(inputs))
    throw layerError(layer, `weight blob of ${weight!.data.length} values does not fit num_output ${numOutput}`);
  // Legacy blobs are 1x1xNxK; the matrix is what matters.
  const wDims = transpose ? [inputs, numOutput] : [numOutput, inputs];
  const flat = emit.node('Flatten', [singleBottom(layer)], { axis: int(p.number('axis', 1)) });
  const gemmInputs = [flat, emit.constant(`${layer.name}:weight`, floatTensor(wDims, weight!.data))];
  if (biasTerm) gemmInputs.push(emit.constant(`${layer.name}:bias`, floatTensor([numOutput], bias!.data)));
  return [emit.node('Gemm', gemmInputs, { transB: int(transpose ? 0 : 1) })];
};

const softmax: LayerConverter = (layer, emit) => [
  emit.node('Softmax', [singleBottom(layer)], {
    axis: int(layer.params.message('softmax_param')?.number('axis', 1) ?? 1),
  }),
];

/** Inference-time BatchNorm: stored mean and variance, both divided by the stored scale factor. */
const batchNorm: LayerConverter = (layer, emit) => {
  const [mean, variance, factorBlob] = requireBlobs(layer, 3);
  const eps = layer.params.message('batch_norm_param')?.number('eps', 1e-5) ?? 1e-5;
  const factor = factorBlob!.data[0] === 0 ? 0 : 1 / factorBlob!.data[0]!;
  const scale = variance!.data.map((v) => 1 / Math.sqrt(v * factor + eps));
  const shift = mean!.data.map((m, c) => -m * factor * scale[c]!);
  const scaled = emit.node('Mul', [singleBottom(layer), emit.constant(`${layer.name}:scale`, channelVector(scale))]);
  return [emit.node('Add', [scaled, emit.constant(`${layer.name}:shift`, channelVector(shift))])];
};

const scale: LayerConverter = (layer, emit) => {
  const p = layer.params.message('scale_param');
  if (layer.bottoms.length !== 1) throw layerError(layer, 'a scale taken from a second bottom is not supported');
  if ((p?.number('axis', 1) ?? 1) !== 1 || (p?.number('num_axes', 1) ?? 1) !== 1) {
    throw layerError(layer, 'only per-channel scales (axis 1, num_axes 1) are supported');
  }
  const biasTerm = p?.bool('bias_term', false) ?? false;
  const [gamma, beta] = requireBlobs(layer, biasTerm ? 2 : 1);
  const scaled = emit.node('Mul', [
    layer.bottoms[0]!,
    emit.constant(`${layer.name}:gamma`, channelVector(gamma!.data)),
  ]);
  return [
    biasTerm ? emit.node('Add', [scaled, emit.constant(`${layer.name}:beta`, channelVector(beta!.data))]) : scaled,
  ];
};

const ELTWISE_OPS = ['PROD', 'SUM', 'MAX'];

const eltwise: LayerConverter = (layer, emit) => {
  const p = layer.params.message('eltwise_param');
  const op = p?.enumName('operation', ELTWISE_OPS, 'SUM') ?? 'SUM';
  const coeffs = p?.numbers('coeff') ?? [];
  if (layer.bottoms.length < 2) throw layerError(layer, 'needs at least two bottoms');
  if (coeffs.length > 0 && (op !== 'SUM' || coeffs.length !== layer.bottoms.length)) {
    throw layerError(layer, 'coeff needs operation SUM and one value per bottom');
  }
  const terms = layer.bottoms.map((b, i) => {
    const c = coeffs[i] ?? 1;
    return c === 1 ? b : emit.node('Mul', [b, emit.constant(`${layer.name}:coeff${i}`, floatTensor([], [c]))]);
  });
  // max(a, b) = b + relu(a - b): exact, and made of ops the autodiff differentiates.
  const combine = (a: string, b: string): string =>
    op === 'SUM'
      ? emit.node('Add', [a, b])
      : op === 'PROD'
        ? emit.node('Mul', [a, b])
        : emit.node('Add', [b, emit.node('Relu', [emit.node('Sub', [a, b])])]);
  // A chain of two-input nodes: ORT fuses such Adds into the preceding Conv.
  return [terms.slice(1).reduce(combine, terms[0]!)];
};

const flatten: LayerConverter = (layer, emit) => {
  const p = layer.params.message('flatten_param');
  if ((p?.number('end_axis', -1) ?? -1) !== -1) throw layerError(layer, 'only end_axis -1 is supported');
  return [emit.node('Flatten', [singleBottom(layer)], { axis: int(p?.number('axis', 1) ?? 1) })];
};

const reshape: LayerConverter = (layer, emit) => {
  const p = layer.params.message('reshape_param');
  const dims = p?.message('shape')?.numbers('dim');
  if (!dims || (p?.number('axis', 0) ?? 0) !== 0 || (p?.number('num_axes', -1) ?? -1) !== -1) {
    throw layerError(layer, 'only a full reshape_param { shape { dim... } } is supported');
  }
  return [
    emit.node('Reshape', [singleBottom(layer), emit.constant(`${layer.name}:shape`, int64Tensor([dims.length], dims))]),
  ];
};

const sigmoid: LayerConverter = (layer, emit) => [emit.node('Sigmoid', [singleBottom(layer)])];
const tanh: LayerConverter = (layer, emit) => [emit.node('Tanh', [singleBottom(layer)])];

/** Converters by Caffe layer type. Dropout and Split only pass values through (see convert.ts). */
export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Convolution: convolution,
  ReLU: relu,
  Pooling: pooling,
  LRN: lrn,
  Concat: concat,
  InnerProduct: innerProduct,
  Softmax: softmax,
  BatchNorm: batchNorm,
  Scale: scale,
  Eltwise: eltwise,
  Flatten: flatten,
  Reshape: reshape,
  Sigmoid: sigmoid,
  TanH: tanh,
};

/** Layer types that compute nothing at inference: each top is its bottom. */
export const PASS_THROUGH_TYPES: ReadonlySet<string> = new Set(['Dropout', 'Split']);

/** V1 prototxt `layers { type: CONVOLUTION }` enum names, as current type names. */
export const V1_TYPE_NAMES: Readonly<Record<string, string>> = {
  CONVOLUTION: 'Convolution',
  RELU: 'ReLU',
  POOLING: 'Pooling',
  LRN: 'LRN',
  CONCAT: 'Concat',
  INNER_PRODUCT: 'InnerProduct',
  DROPOUT: 'Dropout',
  SOFTMAX: 'Softmax',
  ELTWISE: 'Eltwise',
  FLATTEN: 'Flatten',
  SPLIT: 'Split',
  SIGMOID: 'Sigmoid',
  TANH: 'TanH',
};
