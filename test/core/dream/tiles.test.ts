import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { axisWindows, drawRoll, tileShapeFor, tiledGradient } from '../../../src/core/dream/tiles.js';
import { createRandom } from '../../../src/core/dream/random.js';
import { octaveSizes, workingSize } from '../../../src/core/dream/octaves.js';
import { fakeSession } from '../../support/fake-backend.js';

test('axis windows own every coordinate exactly once, whatever the roll', () => {
  for (const [size, tile] of [
    [10, 4],
    [12, 4],
    [3, 3],
    [731, 512],
    [512, 512],
  ] as const) {
    for (const roll of [0, 1, tile - 1, size - 1]) {
      const owners = new Array(size).fill(0);
      for (const w of axisWindows(size, tile, roll % size)) {
        assert.ok(w.owned > 0 && w.owned <= tile);
        for (let i = 0; i < w.owned; i++) owners[(w.start + i) % size]++;
      }
      assert.ok(
        owners.every((n) => n === 1),
        `${size}/${tile}/${roll}: ${owners.join('')}`,
      );
    }
  }
});

test('tile shapes: the fewest equal tiles of at most tileSize per side, or the side when it fits', () => {
  assert.deepEqual(tileShapeFor(1024, 768, 512), { height: 384, width: 512 });
  assert.deepEqual(tileShapeFor(731, 549, 512), { height: 275, width: 366 });
  assert.deepEqual(tileShapeFor(522, 392, 512), { height: 392, width: 261 });
  assert.deepEqual(tileShapeFor(1025, 512, 512), { height: 512, width: 342 });
  assert.deepEqual(tileShapeFor(100, 80, 512), { height: 80, width: 100 });
});

test('rolls span the whole tile period on tiled sides and the jitter on others', () => {
  const random = createRandom(3);
  const tile = { height: 64, width: 100 };
  const xs = new Set<number>();
  const ys = new Set<number>();
  for (let i = 0; i < 3000; i++) {
    const roll = drawRoll(random, 100, 300, tile, 5);
    xs.add(roll.x);
    ys.add(roll.y);
  }
  // Width 100 fits in one tile: jitter -5..5, wrapped into 0..99.
  assert.deepEqual(
    [...xs].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 95, 96, 97, 98, 99],
  );
  assert.equal(ys.size, 64);
  assert.ok([...ys].every((y) => y >= 0 && y < 64));
});

test('the tiled gradient covers every pixel exactly once and follows the image under any roll', async () => {
  const random = createRandom(9);
  for (const [w, h, tileSize] of [
    [50, 30, 16],
    [20, 20, 64],
    [33, 17, 17],
  ] as const) {
    const image = createRgbImage(
      w,
      h,
      Float32Array.from({ length: w * h * 3 }, () => random() * 255),
    );
    const tile = tileShapeFor(w, h, tileSize);
    const gradient = new Float32Array(image.data.length);
    for (let i = 0; i < 5; i++) {
      const roll = drawRoll(random, w, h, tile, 8);
      await tiledGradient(image, fakeSession('ones', tile), roll, gradient);
      assert.ok(
        gradient.every((v) => v === 1),
        `ones ${w}x${h} roll ${JSON.stringify(roll)}`,
      );
      const session = fakeSession('identity', tile);
      await tiledGradient(image, session, roll, gradient);
      assert.deepEqual(gradient, image.data);
      assert.equal(session.runs, Math.ceil(w / tile.width) * Math.ceil(h / tile.height));
    }
  }
});

test('an aborted signal stops the tiled gradient before the next tile', async () => {
  const image = createRgbImage(40, 40);
  const session = fakeSession('ones', { height: 10, width: 10 });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    tiledGradient(image, session, { x: 0, y: 0 }, new Float32Array(image.data.length), undefined, controller.signal),
    {
      name: 'AbortError',
    },
  );
  assert.equal(session.runs, 0);
});

test('octave sizes shrink by the scale, smallest first, dropping those under the minimum side', () => {
  assert.deepEqual(octaveSizes(1024, 768, 4, 1.4, 75), [
    { width: 373, height: 280 },
    { width: 522, height: 392 },
    { width: 731, height: 549 },
    { width: 1024, height: 768 },
  ]);
  assert.deepEqual(octaveSizes(200, 100, 4, 2, 75), [{ width: 200, height: 100 }]);
  assert.deepEqual(octaveSizes(300, 160, 4, 2, 75), [
    { width: 150, height: 80 },
    { width: 300, height: 160 },
  ]);
});

test('images smaller than the network minimum are dreamed enlarged', () => {
  assert.deepEqual(workingSize(300, 200, 75), { width: 300, height: 200 });
  assert.deepEqual(workingSize(50, 20, 75), { width: 188, height: 75 });
});
