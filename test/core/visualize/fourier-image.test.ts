import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../../../src/core/dream/random.js';
import { FourierImage } from '../../../src/core/visualize/fourier-image.js';
import { randomNormal } from '../autodiff/harness.js';

test('a fresh image is a faint variation on grey, of the asked size', () => {
  const fourier = new FourierImage(12, 5);
  assert.deepEqual([fourier.rows, fourier.columns, fourier.size], [8, 16, 6 * 8 * 16]);
  const pixels = new Float32Array(3 * 12 * 5);
  fourier.render(fourier.initialParameters(createRandom(1)), pixels);
  const mean = pixels.reduce((a, v) => a + v, 0) / pixels.length;
  assert.ok(Math.abs(mean - 127.5) < 2, `mean ${mean}`);
  assert.ok(
    pixels.every((v) => Math.abs(v - 127.5) < 10),
    'every pixel near grey',
  );
  assert.ok(new Set(pixels).size > 100, 'not flat');
});

test('backward is the gradient of render: finite differences along random directions', () => {
  const fourier = new FourierImage(6, 4);
  const params = randomNormal(fourier.size, 3).map((v) => v * 0.5);
  const weights = randomNormal(3 * 6 * 4, 4); // d(objective)/d(pixels) of objective = weights · pixels
  const pixels = new Float32Array(weights.length);
  const objective = (p: Float32Array) => {
    fourier.render(p, pixels);
    return pixels.reduce((a, v, i) => a + v * weights[i]!, 0);
  };
  objective(params);
  const gradient = new Float32Array(fourier.size);
  fourier.backward(pixels, weights, gradient);
  const h = 1e-2;
  for (let d = 0; d < 4; d++) {
    const direction = randomNormal(fourier.size, 20 + d);
    const along = (t: number) => objective(params.map((p, i) => p + t * direction[i]!));
    const numeric = (along(h) - along(-h)) / (2 * h);
    const analytic = gradient.reduce((a, g, i) => a + g * direction[i]!, 0);
    assert.ok(Math.abs(numeric - analytic) < 1e-2 * Math.abs(analytic) + 1e-3, `${numeric} vs ${analytic}`);
  }
});

test('low frequencies weigh more than high ones', () => {
  const fourier = new FourierImage(16, 16);
  const swing = (cell: number) => {
    const params = new Float32Array(fourier.size);
    params[cell] = 1; // real part of the red-ish decorrelated channel's spectrum
    const pixels = new Float32Array(3 * 256);
    fourier.render(params, pixels);
    return Math.max(...pixels) - Math.min(...pixels);
  };
  assert.ok(swing(1) > 4 * swing(8), `${swing(1)} vs ${swing(8)}`);
});

test('refuses parameters and pixels of the wrong length', () => {
  const fourier = new FourierImage(4, 4);
  assert.throws(() => fourier.render(new Float32Array(3), new Float32Array(48)), {
    message: 'fourier image: 3 parameters, expected 96',
  });
  assert.throws(() => new FourierImage(0, 4), { message: 'image size must be positive integers, got 0x4' });
});

test('parametersOf is the inverse of render', () => {
  const fourier = new FourierImage(10, 7);
  const pixels = Float32Array.from(randomNormal(3 * 70, 6), (v) => Math.min(250, Math.max(5, 128 + 50 * v)));
  const back = new Float32Array(pixels.length);
  fourier.render(fourier.parametersOf(pixels), back);
  back.forEach((v, i) => assert.ok(Math.abs(v - pixels[i]!) < 0.01, `${i}: ${v} vs ${pixels[i]}`));
});
