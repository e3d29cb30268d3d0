/** Window geometry shared by Conv, ConvTranspose and the pools: explicit pads from auto_pad. */
import { type Node, attrInts, attrString } from '../../onnx/ir.js';
import { samePadding } from '../../onnx/shape-math.js';

export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  /** Extent of the dilated kernel, (k - 1) * d + 1. */
  extent: number[];
}

/** Resolves a windowed op's attributes against its input's spatial size. */
export function windowGeometry(node: Node, inSpatial: number[], kernel: number[]): WindowGeometry {
  const n = inSpatial.length;
  const strides = attrInts(node, 'strides', Array<number>(n).fill(1));
  const dilations = attrInts(node, 'dilations', Array<number>(n).fill(1));
  const extent = kernel.map((k, i) => (k - 1) * dilations[i]! + 1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let pads = attrInts(node, 'pads', Array<number>(2 * n).fill(0));
  if (autoPad === 'VALID') pads = Array<number>(2 * n).fill(0);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const perAxis = inSpatial.map((size, i) => samePadding(size, kernel[i]!, strides[i]!, dilations[i]!, autoPad));
    pads = [...perAxis.map((p) => p[0]), ...perAxis.map((p) => p[1])];
  }
  return { kernel, strides, dilations, extent, padsBegin: pads.slice(0, n), padsEnd: pads.slice(n) };
}

/**
 * ConvTranspose arguments that map a windowed op's output grid back onto its input grid:
 * output_padding fills input rows no window reached, and extra end padding crops windows
 * that ran past the padded input (ceil_mode).
 */
export function transposedPads(
  g: WindowGeometry,
  inSpatial: number[],
  outSpatial: number[],
): { pads: number[]; outputPadding: number[] } {
  const padsEnd = [...g.padsEnd];
  const outputPadding = inSpatial.map((size, i) => {
    const covered = (outSpatial[i]! - 1) * g.strides[i]! + g.extent[i]! - g.padsBegin[i]! - padsEnd[i]!;
    if (covered > size) padsEnd[i]! += covered - size;
    return Math.max(0, size - covered);
  });
  return { pads: [...g.padsBegin, ...padsEnd], outputPadding };
}
