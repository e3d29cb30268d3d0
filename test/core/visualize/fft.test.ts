import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fft2d, isPowerOfTwo, powerOfTwoAtLeast } from '../../../src/core/visualize/fft.js';
import { randomNormal } from '../autodiff/harness.js';

/** The DFT by its definition: sum over (y, x) of v e^{sign 2πi (ky y / rows + kx x / columns)}. */
function naiveDft(re: Float64Array, im: Float64Array, rows: number, columns: number, sign: 1 | -1) {
  const outRe = new Float64Array(rows * columns);
  const outIm = new Float64Array(rows * columns);
  for (let ky = 0; ky < rows; ky++)
    for (let kx = 0; kx < columns; kx++)
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < columns; x++) {
          const angle = sign * 2 * Math.PI * ((ky * y) / rows + (kx * x) / columns);
          const [r, i] = [re[y * columns + x]!, im[y * columns + x]!];
          outRe[ky * columns + kx]! += r * Math.cos(angle) - i * Math.sin(angle);
          outIm[ky * columns + kx]! += r * Math.sin(angle) + i * Math.cos(angle);
        }
  return { re: outRe, im: outIm };
}

const close = (actual: Float64Array, expected: Float64Array) =>
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-9, `${i}: ${v} vs ${expected[i]}`));

test('fft2d matches the DFT both ways, on rectangular grids', () => {
  for (const [rows, columns] of [
    [4, 8],
    [8, 2],
    [1, 16],
  ] as const) {
    for (const sign of [-1, 1] as const) {
      const re = Float64Array.from(randomNormal(rows * columns, rows + columns));
      const im = Float64Array.from(randomNormal(rows * columns, 3 * rows));
      const expected = naiveDft(re, im, rows, columns, sign);
      fft2d(re, im, rows, columns, sign);
      close(re, expected.re);
      close(im, expected.im);
    }
  }
});

test('the inverse undoes the forward transform up to rows x columns', () => {
  const x = Float64Array.from(randomNormal(32, 9));
  const re = x.slice();
  const im = new Float64Array(32);
  fft2d(re, im, 4, 8, -1);
  fft2d(re, im, 4, 8, 1);
  close(
    re.map((v) => v / 32),
    x,
  );
  close(im, new Float64Array(32));
});

test('sizes must be powers of two', () => {
  assert.deepEqual([1, 2, 64].map(isPowerOfTwo), [true, true, true]);
  assert.deepEqual([0, 3, 96, 1.5].map(isPowerOfTwo), [false, false, false, false]);
  assert.deepEqual([1, 5, 128, 129].map(powerOfTwoAtLeast), [1, 8, 128, 256]);
  assert.throws(() => fft2d(new Float64Array(12), new Float64Array(12), 3, 4, 1), {
    message: 'fft: length must be a power of two, got 3',
  });
  assert.throws(() => fft2d(new Float64Array(8), new Float64Array(8), 4, 4, 1), {
    message: 'fft: a 4x4 grid needs 16 values',
  });
});
