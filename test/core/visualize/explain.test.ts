import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { heatMap, topChannels } from '../../../src/core/visualize/explain.js';

/** [1, 3, 2, 2]: channel 0 mean 1, channel 1 mean 3 (fires at the top left only), channel 2 mean 1. */
const activations = { dims: [1, 3, 2, 2], data: Float32Array.of(1, 1, 1, 1, 12, 0, 0, 0, 4, 0, 0, 0) };

test('the strongest channels by mean activation, ties by channel number', () => {
  assert.deepEqual(topChannels(activations, 2), [
    { channel: 1, activation: 3 },
    { channel: 0, activation: 1 },
  ]);
  assert.equal(topChannels(activations, 10).length, 3);
});

test('a heat map is brightest and warmest where the channel fires', () => {
  const photo = createRgbImage(20, 20);
  photo.data.fill(100);
  const map = heatMap(photo, activations, 1);
  const at = (x: number, y: number) => [...map.data.subarray(3 * (y * 20 + x), 3 * (y * 20 + x) + 3)];
  const [hot, cold] = [at(1, 1), at(18, 18)];
  assert.deepEqual(cold, [50, 50, 50], 'the dimmed photo where it does not fire');
  assert.ok(hot[0]! > 150 && hot[0]! > hot[2]!, `hot ${hot}`);
});
