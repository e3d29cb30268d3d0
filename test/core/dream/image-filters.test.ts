import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import { resizeImage } from '../../../src/core/dream/resize.js';
import { doubleTaps, halveTaps, normalizeGradient } from '../../../src/core/dream/normalize.js';
import { filterImage } from '../../../src/core/dream/separable.js';
import { createRandom } from '../../../src/core/dream/random.js';

function imageFrom(width: number, height: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const image = createRgbImage(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) image.data[(y * width + x) * 3 + c] = f(x, y, c);
  return image;
}

const randomImage = (width: number, height: number, seed: number): RgbImage => {
  const random = createRandom(seed);
  return imageFrom(width, height, () => random() * 2 - 1);
};

const stats = (data: Float32Array) => {
  let sum = 0;
  let sumAbs = 0;
  let sumSq = 0;
  for (const v of data) {
    sum += v;
    sumAbs += Math.abs(v);
    sumSq += v * v;
  }
  const mean = sum / data.length;
  return {
    mean,
    meanAbs: sumAbs / data.length,
    std: Math.sqrt(sumSq / data.length - mean * mean),
    rms: Math.sqrt(sumSq / data.length),
  };
};

test('resize keeps a constant image constant, at any scale', () => {
  const flat = imageFrom(37, 23, (_x, _y, c) => 10 + c);
  for (const [w, h] of [
    [10, 7],
    [80, 51],
    [37, 23],
    [1, 1],
  ] as const) {
    const out = resizeImage(flat, w, h);
    assert.equal(out.data.length, w * h * 3);
    for (let i = 0; i < out.data.length; i++) assert.ok(Math.abs(out.data[i]! - (10 + (i % 3))) < 1e-4);
  }
});

test('shrinking by 2 averages pixel pairs (no aliasing); enlarging interpolates linearly', () => {
  const stripes = imageFrom(16, 4, (x) => (x % 2 === 0 ? 0 : 200));
  const half = resizeImage(stripes, 8, 4);
  // Away from the clamped edges every output pixel is the stripes' average.
  for (let x = 1; x < 7; x++) assert.ok(Math.abs(half.data[x * 3]! - 100) < 1e-3, `got ${half.data[x * 3]}`);
  const ramp = imageFrom(8, 2, (x) => x * 8);
  const twice = resizeImage(ramp, 16, 2);
  // Interior output x samples input position (x + 0.5) / 2 - 0.5.
  for (let x = 1; x < 15; x++) assert.ok(Math.abs(twice.data[x * 3]! - ((x + 0.5) / 2 - 0.5) * 8) < 1e-4);
});

test('resizing to the same size returns an equal copy', () => {
  const image = randomImage(5, 4, 1);
  const copy = resizeImage(image, 5, 4);
  assert.deepEqual(copy.data, image.data);
  assert.notEqual(copy.data, image.data);
});

test('meanAbs and std normalization give unit mean |g| and unit standard deviation', () => {
  const a = randomImage(20, 10, 2);
  normalizeGradient(a, 'meanAbs');
  assert.ok(Math.abs(stats(a.data).meanAbs - 1) < 1e-5);
  const b = imageFrom(20, 10, (x, y) => 5 + x - y);
  normalizeGradient(b, 'std');
  assert.ok(Math.abs(stats(b.data).std - 1) < 1e-5);
});

test('a zero gradient stays zero (no division by zero)', () => {
  for (const method of ['meanAbs', 'std', 'laplacian'] as const) {
    const g = createRgbImage(9, 7);
    normalizeGradient(g, method);
    assert.ok(
      g.data.every((v) => v === 0),
      method,
    );
  }
});

test('every normalization ignores the gradient magnitude', () => {
  for (const method of ['meanAbs', 'std', 'laplacian'] as const) {
    const small = randomImage(33, 21, 3);
    const large = createRgbImage(
      33,
      21,
      small.data.map((v) => v * 1e4),
    );
    normalizeGradient(small, method);
    normalizeGradient(large, method);
    for (let i = 0; i < small.data.length; i++) assert.ok(Math.abs(small.data[i]! - large.data[i]!) < 1e-4, method);
  }
});

test('every normalization gives the same step for gradients as small as randomly initialized networks give', () => {
  for (const method of ['meanAbs', 'std', 'laplacian'] as const) {
    for (const magnitude of [1e-7, 1e-12, 1e-17]) {
      const unit = randomImage(33, 21, 4);
      const tiny = createRgbImage(
        33,
        21,
        unit.data.map((v) => v * magnitude),
      );
      normalizeGradient(unit, method);
      normalizeGradient(tiny, method);
      const worst = Math.max(...unit.data.map((v, i) => Math.abs(v - tiny.data[i]!)));
      assert.ok(worst < 1e-4, `${method} at ${magnitude}: differs by ${worst}`);
    }
  }
});

test('halving and doubling keep constants and have the expected sizes', () => {
  const flat = imageFrom(11, 6, () => 3);
  const low = filterImage(flat, halveTaps(11), halveTaps(6));
  assert.deepEqual([low.width, low.height], [6, 3]);
  assert.ok(low.data.every((v) => Math.abs(v - 3) < 1e-6));
  const up = filterImage(low, doubleTaps(6, 11), doubleTaps(3, 6));
  assert.deepEqual([up.width, up.height], [11, 6]);
  assert.ok(up.data.every((v) => Math.abs(v - 3) < 1e-6));
});

test('laplacian normalization lifts weak coarse structure relative to strong fine noise', () => {
  // A strong 1-pixel checkerboard plus a weak smooth ramp: after std normalization the ramp stays
  // tiny; after Laplacian normalization the coarse bands are scaled to unit RMS like the fine one.
  const make = () => imageFrom(64, 64, (x, y) => ((x + y) % 2 === 0 ? 1 : -1) + 0.01 * (x - 32));
  const rampStrength = (g: RgbImage) => {
    const low = filterImage(filterImage(g, halveTaps(64), halveTaps(64)), halveTaps(32), halveTaps(32));
    return stats(low.data).std;
  };
  const std = make();
  normalizeGradient(std, 'std');
  const lap = make();
  normalizeGradient(lap, 'laplacian');
  assert.ok(rampStrength(lap) > 10 * rampStrength(std), `${rampStrength(lap)} vs ${rampStrength(std)}`);
});
