import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../../../src/core/dream/random.js';
import { FILL, Resampling } from '../../../src/core/visualize/transform.js';
import { randomNormal } from '../autodiff/harness.js';

const W = 9;
const H = 7;
const ranges = { jitter: 3, scale: 0.2, rotate: 15 };

test('no shift, scale or rotation leaves the image as it is', () => {
  const identity = Resampling.draw(createRandom(1), W, H, { jitter: 0, scale: 0, rotate: 0 });
  const image = randomNormal(3 * W * H, 2);
  const out = new Float32Array(image.length);
  identity.apply(image, out);
  out.forEach((v, i) => assert.ok(Math.abs(v - image[i]!) < 1e-5, `${i}`));
});

test('the adjoint is the transpose of the resampling (grey fill aside)', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const t = Resampling.draw(createRandom(seed), W, H, ranges);
    const x = randomNormal(3 * W * H, seed);
    const y = randomNormal(3 * W * H, 10 + seed);
    const tx = new Float32Array(x.length);
    const t0 = new Float32Array(x.length);
    t.apply(x, tx);
    t.apply(new Float32Array(x.length), t0);
    const ty = new Float32Array(x.length);
    t.adjoint(y, ty);
    const left = tx.reduce((a, v, i) => a + (v - t0[i]!) * y[i]!, 0);
    const right = x.reduce((a, v, i) => a + v * ty[i]!, 0);
    assert.ok(Math.abs(left - right) < 1e-3 * Math.abs(left) + 1e-3, `seed ${seed}: ${left} vs ${right}`);
  }
});

test('a shrunk image shows grey beyond its edges; offsets address one image of a batch', () => {
  const shrink = Resampling.draw(() => 0.5, 20, 20, { jitter: 0, scale: 0.5, rotate: 0 });
  // random() = 0.5 draws the middle of each range: no shift, scale 1, no rotation.
  const image = new Float32Array(3 * 400).fill(10);
  const batch = new Float32Array(2 * 3 * 400);
  shrink.apply(image, batch, 3 * 400);
  assert.equal(batch[0], 0, 'the first image is untouched');
  assert.equal(batch[3 * 400 + 210], 10);
  const small = Resampling.draw(() => 0, 20, 20, { jitter: 0, scale: 0.5, rotate: 0 });
  // random() = 0 draws the lowest scale: 0.5, the image covers the middle half.
  const out = new Float32Array(3 * 400);
  small.apply(image, out);
  assert.equal(out[0], FILL);
  assert.equal(out[10 * 20 + 10], 10);
});
