/**
 * Keras/TensorFlow spatial rules for windowed layers (convolutions, pooling) and zero padding:
 * output sizes and the equivalent ONNX padding.
 *
 * TensorFlow 'same' padding pads (out-1)*stride + kernel - in in total, the odd pixel at the
 * bottom/right, so with stride > 1 the pads depend on the input size. With stride 1 they do not
 * (total = dilated kernel - 1), and every 'same' layer of the bundled models has stride 1, so
 * those get explicit pads: exact at every input size, and plain pads for the autodiff pass.
 * Strided 'same' layers get auto_pad SAME_UPPER, which ONNX defines with the same formula
 * (extra pad at the end); test/core/convert/keras checks both against tfjs at odd and even sizes.
 */
import type { KerasLayer } from './topology.js';

/** [top, bottom, left, right] */
export type Pads4 = [number, number, number, number];

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'valid' | 'same';
}

export type OnnxPadding = { pads: Pads4 } | { autoPad: 'SAME_UPPER' };

const POOLING = new Set(['MaxPooling2D', 'AveragePooling2D']);

export function windowOf(layer: KerasLayer): Window {
  const c = layer.config;
  if (c.string('data_format', 'channels_last') !== 'channels_last')
    throw c.error('only channels_last data is supported');
  const padding = c.string('padding');
  if (padding !== 'valid' && padding !== 'same') throw c.error(`padding ${padding} is not supported`);
  if (POOLING.has(layer.className)) {
    const kernel = c.pair('pool_size');
    return { kernel, strides: c.has('strides') ? c.pair('strides') : kernel, dilation: [1, 1], padding };
  }
  const strides = c.pair('strides', [1, 1]);
  const dilation = c.pair('dilation_rate', [1, 1]);
  // TensorFlow rejects this combination too.
  if (strides.some((s) => s > 1) && dilation.some((d) => d > 1))
    throw c.error('strides > 1 together with dilation > 1');
  return { kernel: c.pair('kernel_size'), strides, dilation, padding };
}

const effectiveKernel = (w: Window, axis: 0 | 1): number => (w.kernel[axis] - 1) * w.dilation[axis] + 1;

/** Output [height, width] for an input of [height, width] (already zero-padded if any). */
export function windowOutputSize(w: Window, input: [number, number]): [number, number] {
  const size = (axis: 0 | 1): number =>
    w.padding === 'same'
      ? Math.ceil(input[axis] / w.strides[axis])
      : Math.ceil((input[axis] - effectiveKernel(w, axis) + 1) / w.strides[axis]);
  return [size(0), size(1)];
}

/** ONNX padding for the window, plus `extra` zero padding folded in from a ZeroPadding2D layer. */
export function onnxPadding(w: Window, extra: Pads4 = [0, 0, 0, 0]): OnnxPadding {
  if (w.padding === 'valid') return { pads: extra };
  if (w.strides.some((s) => s > 1)) {
    if (extra.some((p) => p > 0)) throw new Error('zero padding cannot be folded into a strided same-padded window');
    return { autoPad: 'SAME_UPPER' };
  }
  const total = [effectiveKernel(w, 0) - 1, effectiveKernel(w, 1) - 1] as const;
  const before = total.map((t) => Math.floor(t / 2));
  return {
    pads: [
      before[0]! + extra[0],
      total[0] - before[0]! + extra[1],
      before[1]! + extra[2],
      total[1] - before[1]! + extra[3],
    ],
  };
}

/** ONNX `pads` attribute order: [top, left, bottom, right]. */
export const onnxPadsOrder = (p: Pads4): number[] => [p[0], p[2], p[1], p[3]];

/** ZeroPadding2D's padding as [top, bottom, left, right] (Keras accepts int, [h, w] or [[t, b], [l, r]]). */
export function zeroPadding(layer: KerasLayer): Pads4 {
  const c = layer.config;
  if (c.string('data_format', 'channels_last') !== 'channels_last')
    throw c.error('only channels_last data is supported');
  const raw = c.value('padding');
  const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  const axis = (v: unknown): [number, number] | undefined =>
    isCount(v)
      ? [v, v]
      : Array.isArray(v) && v.length === 2 && v.every(isCount)
        ? [v[0] as number, v[1] as number]
        : undefined;
  if (isCount(raw)) return [raw, raw, raw, raw];
  const [h, w] = Array.isArray(raw) && raw.length === 2 ? [axis(raw[0]), axis(raw[1])] : [undefined, undefined];
  if (!h || !w) throw c.error(`padding ${JSON.stringify(raw)} is not an int, [h, w] or [[top, bottom], [left, right]]`);
  return [h[0], h[1], w[0], w[1]];
}
