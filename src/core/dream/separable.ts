/**
 * Separable filtering of RGB float images: resampling and the Laplacian pyramid are both "for
 * each output row/column, a weighted sum of a few input rows/columns". Edges are clamped.
 */
import { createRgbImage, type RgbImage } from '../image/rgb.js';

/** For each output coordinate, the input coordinates and normalized weights it is made of. */
export interface FilterTaps {
  /** Taps of output coordinate i are at offsets[i] .. offsets[i+1]-1. */
  offsets: Int32Array;
  indices: Int32Array;
  weights: Float32Array;
}

/**
 * Builds taps from `contributions(i)`: [input position, weight] pairs for output i. Positions
 * outside the input are clamped to the edge; each output's weights are normalized to sum to 1.
 */
export function buildTaps(
  inSize: number,
  outSize: number,
  contributions: (i: number) => Array<[position: number, weight: number]>,
): FilterTaps {
  const offsets = new Int32Array(outSize + 1);
  const indices: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const taps = contributions(i).filter(([, w]) => w > 0);
    const total = taps.reduce((sum, [, w]) => sum + w, 0);
    for (const [position, w] of taps) {
      indices.push(Math.min(inSize - 1, Math.max(0, position)));
      weights.push(w / total);
    }
    offsets[i + 1] = indices.length;
  }
  return { offsets, indices: Int32Array.from(indices), weights: Float32Array.from(weights) };
}

/**
 * Filters rows with `xTaps`, then columns with `yTaps`. Returns a new image, or with `addTo`,
 * adds `sign` times the result to that image (same size as the output) and returns it.
 * Works output row by output row, keeping only the few row-filtered input rows still needed,
 * so no image-sized intermediate is allocated (this matters for 4096-pixel photos).
 */
export function filterImage(
  image: RgbImage,
  xTaps: FilterTaps,
  yTaps: FilterTaps,
  addTo?: { image: RgbImage; sign: 1 | -1 },
): RgbImage {
  const width = xTaps.offsets.length - 1;
  const height = yTaps.offsets.length - 1;
  const out = addTo?.image ?? createRgbImage(width, height);
  if (out.width !== width || out.height !== height)
    throw new Error('filterImage: target size differs from output size');
  const sign = addTo?.sign ?? 1;
  const rowLength = width * 3;
  const rows = new Map<number, Float32Array>();
  const spare: Float32Array[] = [];
  const dst = out.data;
  for (let y = 0; y < height; y++) {
    const first = yTaps.offsets[y]!;
    const end = yTaps.offsets[y + 1]!;
    let lowest = Infinity;
    for (let k = first; k < end; k++) lowest = Math.min(lowest, yTaps.indices[k]!);
    for (const [index, row] of rows) {
      if (index < lowest) {
        rows.delete(index);
        spare.push(row);
      }
    }
    const outRow = y * rowLength;
    for (let k = first; k < end; k++) {
      const index = yTaps.indices[k]!;
      let row = rows.get(index);
      if (!row) {
        row = filterRow(image, index, xTaps, spare.pop() ?? new Float32Array(rowLength));
        rows.set(index, row);
      }
      const w = sign * yTaps.weights[k]!;
      for (let i = 0; i < rowLength; i++) dst[outRow + i] = dst[outRow + i]! + w * row[i]!;
    }
  }
  return out;
}

/** Input row `y` resampled horizontally into `into`. */
function filterRow(image: RgbImage, y: number, taps: FilterTaps, into: Float32Array): Float32Array {
  const { offsets, indices, weights } = taps;
  const src = image.data;
  const inRow = y * image.width * 3;
  for (let x = 0; x < offsets.length - 1; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let k = offsets[x]!; k < offsets[x + 1]!; k++) {
      const w = weights[k]!;
      const p = inRow + indices[k]! * 3;
      r += w * src[p]!;
      g += w * src[p + 1]!;
      b += w * src[p + 2]!;
    }
    into[x * 3] = r;
    into[x * 3 + 1] = g;
    into[x * 3 + 2] = b;
  }
  return into;
}
