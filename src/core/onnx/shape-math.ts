/**
 * Pure shape arithmetic shared by shape inference and the graph rewriters: broadcasting,
 * window (conv/pool) output sizes, axis normalisation and Slice extents.
 */
import { type Dim, type Node, attrInts, attrString } from './ir.js';

/** Maps a possibly negative axis into [0, rank), or throws naming `what`. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy-style multidirectional broadcasting; a symbolic dim matches itself or 1. */
export function broadcastShapes(shapes: Dim[][]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1 || d === dim) continue;
      if (dim !== 1) throw new Error(`shapes ${shapes.map((x) => JSON.stringify(x)).join(' and ')} do not broadcast`);
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface WindowParams {
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  autoPad: AutoPad;
  /** Pooling only: round the window count up; a window may not start past the padded input. */
  ceilMode: boolean;
}

/** Output length of a sliding-window op (Conv, MaxPool, AveragePool) along one spatial axis. */
export function windowOutputSize(input: number, p: WindowParams): number {
  const extent = (p.kernel - 1) * p.dilation + 1;
  if (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') return Math.ceil(input / p.stride);
  const padded = p.autoPad === 'VALID' ? input : input + p.padBegin + p.padEnd;
  if (padded < extent) throw new Error(`window of extent ${extent} does not fit the padded input size ${padded}`);
  if (!p.ceilMode) return Math.floor((padded - extent) / p.stride) + 1;
  let out = Math.ceil((padded - extent) / p.stride) + 1;
  const begin = p.autoPad === 'VALID' ? 0 : p.padBegin;
  if ((out - 1) * p.stride >= input + begin) out--;
  return out;
}

/**
 * Padding (begin, end) that SAME_UPPER / SAME_LOWER imply; the odd pixel goes at the end
 * for SAME_UPPER and at the beginning for SAME_LOWER.
 */
export function samePadding(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  autoPad: AutoPad,
): [number, number] {
  const out = Math.ceil(input / stride);
  const total = Math.max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - input);
  const small = Math.floor(total / 2);
  return autoPad === 'SAME_LOWER' ? [total - small, small] : [small, total - small];
}

export interface TransposedWindowParams {
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  outputPadding: number;
  autoPad: AutoPad;
  /** The output_shape attribute's size for this axis, if given (it overrides pads and auto_pad). */
  outputSize?: number;
}

/**
 * ConvTranspose along one spatial axis, as ONNX Runtime computes it: the output size and the
 * pads (begin, end) cropped off the full transposed convolution of
 * stride * (input - 1) + output_padding + (kernel - 1) * dilation + 1 elements. output_shape or
 * SAME auto_pad imply the total crop; SAME_UPPER crops the odd element at the end, the others
 * at the beginning. An output_shape past the full size (by less than a stride, counting
 * output_padding) gets zeros at the end and no crop; a SAME target past it is not reached
 * (no crop either).
 */
export function convTransposeAxis(input: number, p: TransposedWindowParams): { size: number; pads: [number, number] } {
  const full = p.stride * (input - 1) + p.outputPadding + (p.kernel - 1) * p.dilation + 1;
  const split = (total: number): [number, number] => {
    const half = Math.floor(total / 2);
    return p.autoPad === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
  };
  if (p.outputSize !== undefined) {
    if (p.outputSize - full + p.outputPadding >= p.stride)
      throw new Error(`output_shape ${p.outputSize} is larger than ${input} inputs can produce`);
    if (p.outputSize < 1) throw new Error(`output_shape ${p.outputSize} is not positive`);
    return { size: p.outputSize, pads: split(Math.max(0, full - p.outputSize)) };
  }
  if (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') {
    const pads = split(Math.max(0, full - input * p.stride));
    return { size: full - pads[0] - pads[1], pads };
  }
  const pads: [number, number] = p.autoPad === 'VALID' ? [0, 0] : [p.padBegin, p.padEnd];
  return { size: full - pads[0] - pads[1], pads };
}

export interface ConvTransposeGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Output spatial sizes. */
  sizes: number[];
  /** Pads cropped off the full output: begins, then ends (as the pads attribute). */
  pads: number[];
}

/** A ConvTranspose node's output sizes and effective pads for input spatial sizes `inSpatial`. */
export function convTransposeGeometry(node: Node, inSpatial: number[], weightSpatial: number[]): ConvTransposeGeometry {
  const n = inSpatial.length;
  const kernel = attrInts(node, 'kernel_shape', weightSpatial);
  const strides = attrInts(node, 'strides', Array<number>(n).fill(1));
  const dilations = attrInts(node, 'dilations', Array<number>(n).fill(1));
  const pads = attrInts(node, 'pads', Array<number>(2 * n).fill(0));
  const outputPadding = attrInts(node, 'output_padding', Array<number>(n).fill(0));
  const outputShape = attrInts(node, 'output_shape', []);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET') as AutoPad;
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad))
    throw new Error(`unknown auto_pad ${autoPad}`);
  const lists = [kernel, strides, dilations, outputPadding, ...(outputShape.length > 0 ? [outputShape] : [])];
  if (lists.some((l) => l.length !== n) || pads.length !== 2 * n)
    throw new Error(`kernel_shape/strides/dilations/pads/output_padding/output_shape do not match ${n} spatial dims`);
  const axes = inSpatial.map((input, i) =>
    convTransposeAxis(input, {
      kernel: kernel[i]!,
      stride: strides[i]!,
      dilation: dilations[i]!,
      padBegin: pads[i]!,
      padEnd: pads[i + n]!,
      outputPadding: outputPadding[i]!,
      autoPad,
      ...(outputShape.length > 0 && { outputSize: outputShape[i]! }),
    }),
  );
  return {
    kernel,
    strides,
    dilations,
    sizes: axes.map((a) => a.size),
    pads: [...axes.map((a) => a.pads[0]), ...axes.map((a) => a.pads[1])],
  };
}

/** First index and element count Slice takes from an axis of length `dim` (ONNX clamping rules). */
export function sliceRange(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  if (step === 0) throw new Error('Slice step cannot be 0');
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const s = start < 0 ? start + dim : start;
  const e = end < 0 ? end + dim : end;
  const [from, to] = step > 0 ? [clamp(s, 0, dim), clamp(e, 0, dim)] : [clamp(s, 0, dim - 1), clamp(e, -1, dim - 1)];
  return { start: from, count: Math.max(0, Math.ceil((to - from) / step)) };
}

export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
