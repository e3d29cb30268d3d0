/**
 * Gradient normalization: the ascent step must not depend on the gradient's overall magnitude,
 * which varies by orders of magnitude between layers, images, octaves and networks (pixel
 * gradients of 1e-17 are common in randomly initialized ones).
 * - meanAbs: divide by mean |g| (Google's original DeepDream notebook).
 * - std: divide by the standard deviation (the TensorFlow 2 DeepDream tutorial).
 * - laplacian: split g into a Laplacian pyramid, scale each frequency band to unit RMS and
 *   recombine (the TensorFlow 1 DeepDream tutorial): low frequencies, weak in raw gradients,
 *   get as much say as fine ones, which gives smoother, larger structures.
 * Each divisor gets an epsilon relative to the gradient's RMS, not an absolute one, so scaling
 * the gradient by any factor gives the same step; an all-zero gradient stays zero.
 */
import type { RgbImage } from '../image/rgb.js';
import type { Normalization } from './options.js';
import { buildTaps, filterImage, type FilterTaps } from './separable.js';

/** The epsilon as a fraction of the gradient's RMS: a band weaker than that is not scaled up to unit RMS. */
const RELATIVE_EPSILON = 1e-6;
const LAPLACIAN_LEVELS = 4;

/** Normalizes `gradient` (an RGB-shaped buffer) in place. */
export function normalizeGradient(gradient: RgbImage, method: Normalization): void {
  const epsilon = RELATIVE_EPSILON * rootMeanSquare(gradient.data);
  if (epsilon === 0) return;
  switch (method) {
    case 'meanAbs':
      return scale(gradient.data, 1 / (meanAbs(gradient.data) + epsilon));
    case 'std':
      return scale(gradient.data, 1 / (standardDeviation(gradient.data) + epsilon));
    case 'laplacian':
      return laplacianNormalize(gradient, LAPLACIAN_LEVELS, epsilon);
  }
}

function scale(data: Float32Array, factor: number): void {
  for (let i = 0; i < data.length; i++) data[i] = data[i]! * factor;
}

function meanAbs(data: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += Math.abs(data[i]!);
  return sum / data.length;
}

function standardDeviation(data: Float32Array): number {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    sum += v;
    sumSquares += v * v;
  }
  const mean = sum / data.length;
  return Math.sqrt(Math.max(0, sumSquares / data.length - mean * mean));
}

function rootMeanSquare(data: Float32Array): number {
  let sumSquares = 0;
  for (let i = 0; i < data.length; i++) sumSquares += data[i]! * data[i]!;
  return Math.sqrt(sumSquares / data.length);
}

/** Weights of the 5-tap binomial filter used to blur before halving and after doubling. */
const BINOMIAL = [1, 4, 6, 4, 1];

/** Blur and halve: output i is centred on input 2i. */
export function halveTaps(inSize: number): FilterTaps {
  return buildTaps(inSize, Math.ceil(inSize / 2), (i) => BINOMIAL.map((w, k) => [2 * i + k - 2, w]));
}

/** Double and blur (the transpose of halving): output j gathers the inputs i with |j - 2i| <= 2. */
export function doubleTaps(inSize: number, outSize: number): FilterTaps {
  return buildTaps(inSize, outSize, (j) => {
    const taps: Array<[number, number]> = [];
    for (let i = Math.ceil((j - 2) / 2); 2 * i <= j + 2; i++) taps.push([i, BINOMIAL[j - 2 * i + 2]!]);
    return taps;
  });
}

/**
 * Each band (g minus its blurred-halved-doubled self) is scaled to unit RMS, recursively on the
 * halved image; the coarsest level is the remaining low-pass image. Works in place; the only
 * extra memory is the quarter-size lower levels.
 */
function laplacianNormalize(g: RgbImage, levels: number, epsilon: number): void {
  if (levels <= 1 || g.width < 2 || g.height < 2) {
    scale(g.data, 1 / (rootMeanSquare(g.data) + epsilon));
    return;
  }
  const low = filterImage(g, halveTaps(g.width), halveTaps(g.height));
  const upX = doubleTaps(low.width, g.width);
  const upY = doubleTaps(low.height, g.height);
  filterImage(low, upX, upY, { image: g, sign: -1 });
  scale(g.data, 1 / (rootMeanSquare(g.data) + epsilon));
  laplacianNormalize(low, levels - 1, epsilon);
  filterImage(low, upX, upY, { image: g, sign: 1 });
}
