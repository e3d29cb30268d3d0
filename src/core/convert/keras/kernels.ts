/** Keras convolution and BatchNormalization weights turned into ONNX Conv initializers. */
import { floatTensor, type Tensor } from '../../onnx/ir.js';
import type { KerasLayer } from './topology.js';
import type { KerasWeights } from './weights.js';

export interface ConvWeights {
  /** ONNX layout [out, in/group, kh, kw]. */
  kernel: Tensor;
  bias?: Tensor;
}

/** A Conv2D (HWIO) or DepthwiseConv2D (HW, in, multiplier) kernel and bias in ONNX layout. */
export function convWeights(layer: KerasLayer, weights: KerasWeights, inChannels: number): ConvWeights {
  const c = layer.config;
  const depthwise = layer.className === 'DepthwiseConv2D';
  const keras = weights.get(`${layer.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`);
  const [kh, kw] = c.pair('kernel_size');
  const last = depthwise ? c.number('depth_multiplier', 1) : c.number('filters');
  const expected = [kh, kw, inChannels, last];
  if (keras.dims.join() !== expected.join()) {
    throw c.error(`kernel has shape ${JSON.stringify(keras.dims)}, expected ${JSON.stringify(expected)}`);
  }
  // Depthwise output channel i*multiplier + m is ONNX group i's m-th output, whose only input is i.
  const outChannels = depthwise ? inChannels * last : last;
  const perGroupIn = depthwise ? 1 : inChannels;
  const src = keras.data as Float32Array;
  const dst = new Float32Array(src.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < inChannels; i++) {
        const row = ((y * kw + x) * inChannels + i) * last;
        for (let m = 0; m < last; m++) {
          const o = depthwise ? i * last + m : m;
          const groupIn = depthwise ? 0 : i;
          dst[((o * perGroupIn + groupIn) * kh + y) * kw + x] = src[row + m]!;
        }
      }
    }
  }
  const kernel = floatTensor([outChannels, perGroupIn, kh, kw], dst);
  if (!c.boolean('use_bias', true)) return { kernel };
  const bias = weights.get(`${layer.name}/bias`);
  if (bias.data.length !== outChannels)
    throw c.error(`bias has ${bias.data.length} values for ${outChannels} channels`);
  return { kernel, bias };
}

/** Inference BatchNormalization as y = scale*x + shift per channel (float64 maths). */
export function batchNormAffine(
  layer: KerasLayer,
  weights: KerasWeights,
): { scale: Float64Array; shift: Float64Array } {
  const c = layer.config;
  const axis = c.number('axis', -1);
  if (axis !== -1 && axis !== 3) throw c.error(`axis ${axis} is not the channel axis`);
  const read = (what: string) => weights.get(`${layer.name}/${what}`).data as Float32Array;
  const mean = read('moving_mean');
  const variance = read('moving_variance');
  const gamma = c.boolean('scale', true) ? read('gamma') : undefined;
  const beta = c.boolean('center', true) ? read('beta') : undefined;
  const epsilon = c.number('epsilon', 1e-3);
  const channels = mean.length;
  if ([variance, gamma, beta].some((v) => v && v.length !== channels)) {
    throw c.error('gamma, beta, mean and variance differ in length');
  }
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let i = 0; i < channels; i++) {
    scale[i] = (gamma?.[i] ?? 1) / Math.sqrt(variance[i]! + epsilon);
    shift[i] = (beta?.[i] ?? 0) - mean[i]! * scale[i]!;
  }
  return { scale, shift };
}

/** Folds a BatchNormalization into the preceding convolution's kernel and bias. */
export function foldBatchNorm(bn: KerasLayer, weights: KerasWeights, conv: ConvWeights): Required<ConvWeights> {
  const { scale, shift } = batchNormAffine(bn, weights);
  const outChannels = conv.kernel.dims[0]!;
  if (scale.length !== outChannels)
    throw bn.config.error(`has ${scale.length} channels, its convolution ${outChannels}`);
  const perChannel = conv.kernel.data.length / outChannels;
  const w = conv.kernel.data as Float32Array;
  const b = conv.bias?.data as Float32Array | undefined;
  const kernel = new Float32Array(w.length);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    for (let k = o * perChannel; k < (o + 1) * perChannel; k++) kernel[k] = w[k]! * scale[o]!;
    bias[o] = (b?.[o] ?? 0) * scale[o]! + shift[o]!;
  }
  return { kernel: floatTensor(conv.kernel.dims, kernel), bias: floatTensor([outChannels], bias) };
}
