import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom, noiseImage, randomInt } from '../../../src/core/dream/random.js';

test('the same seed gives the same sequence; different seeds differ', () => {
  const a = createRandom(42);
  const b = createRandom(42);
  const c = createRandom(43);
  const seqA = Array.from({ length: 100 }, a);
  assert.deepEqual(seqA, Array.from({ length: 100 }, b));
  assert.notDeepEqual(seqA, Array.from({ length: 100 }, c));
});

test('values are uniform-looking floats in [0, 1)', () => {
  const random = createRandom(7);
  const values = Array.from({ length: 20000 }, random);
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  const buckets = new Array(10).fill(0);
  for (const v of values) buckets[Math.floor(v * 10)]++;
  assert.ok(
    buckets.every((n) => n > 1800 && n < 2200),
    JSON.stringify(buckets),
  );
});

test('randomInt covers both ends of its range and nothing outside', () => {
  const random = createRandom(1);
  const seen = new Set(Array.from({ length: 2000 }, () => randomInt(random, -3, 3)));
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [-3, -2, -1, 0, 1, 2, 3],
  );
});

test('noiseImage is reproducible faint grey noise', () => {
  const a = noiseImage(16, 8, 5);
  assert.equal(a.data.length, 16 * 8 * 3);
  assert.deepEqual(a.data, noiseImage(16, 8, 5).data);
  assert.notDeepEqual(a.data, noiseImage(16, 8, 6).data);
  assert.ok(a.data.every((v) => v >= 118 && v < 138));
});
