import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Adam } from '../../../src/core/visualize/adam.js';

test('each first step moves a parameter by the learning rate, up its gradient, whatever its scale', () => {
  const adam = new Adam(3, 0.1);
  const params = Float32Array.of(1, 1, 1);
  adam.ascend(params, Float32Array.of(0.01, -50, 0));
  assert.deepEqual(
    [...params].map((v) => Math.round(v * 1e5) / 1e5),
    [1.1, 0.9, 1],
  );
});

test('climbs a concave function to its top', () => {
  const adam = new Adam(2, 0.05);
  const params = Float32Array.of(3, -2);
  const top = [0.5, 1];
  for (let i = 0; i < 400; i++)
    adam.ascend(
      params,
      Float32Array.from(params, (p, k) => 2 * (top[k]! - p)),
    );
  params.forEach((p, k) => assert.ok(Math.abs(p - top[k]!) < 0.02, `${p}`));
});

test('refuses a gradient of another length', () => {
  assert.throws(() => new Adam(2, 0.1).ascend(new Float32Array(2), new Float32Array(3)), {
    message: 'adam: expected 2 parameters and gradient values',
  });
});
