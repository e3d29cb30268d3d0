import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import { backwardFlow } from '../../../src/node/video/flow.js';

/** A smooth random texture, shifted by (dx, dy): pixel (x, y) shows the texture at (x - dx, y - dy). */
function texture(width: number, height: number, dx: number, dy: number): RgbImage {
  const image = createRgbImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x - dx;
      const v = y - dy;
      const value =
        128 + 50 * Math.sin(u * 0.11 + Math.sin(v * 0.07) * 3) + 40 * Math.cos(v * 0.13 + Math.sin(u * 0.05) * 2);
      image.data.fill(value, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return image;
}

const medianOf = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const [width, height] of [
  [160, 96],
  [640, 360],
] as const) {
  test(`flow at ${width}x${height} finds where each pixel was in the previous frame`, async () => {
    const flow = await backwardFlow(texture(width, height, 0, 0), texture(width, height, 6, 4));
    assert.equal(flow.length, width * height * 2);
    const fx: number[] = [];
    const fy: number[] = [];
    for (let y = 20; y < height - 20; y++) {
      for (let x = 20; x < width - 20; x++) {
        fx.push(flow[(y * width + x) * 2]!);
        fy.push(flow[(y * width + x) * 2 + 1]!);
      }
    }
    assert.ok(Math.abs(medianOf(fx) + 6) < 0.5, `median dx ${medianOf(fx)}`);
    assert.ok(Math.abs(medianOf(fy) + 4) < 0.5, `median dy ${medianOf(fy)}`);
  });
}
