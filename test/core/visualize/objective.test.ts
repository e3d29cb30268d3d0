import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  channel,
  channelWeights,
  describeObjective,
  layer,
  negative,
  scaled,
  sum,
} from '../../../src/core/visualize/objective.js';

test('objectives combine into signed weights per channel of one layer', () => {
  const mixed = sum(channel('mixed4', 12), scaled(channel('mixed4', 3), 0.5), negative(channel('mixed4', 40)));
  assert.deepEqual(mixed, {
    layer: 'mixed4',
    reduce: 'mean',
    weights: [
      [3, 0.5],
      [12, 1],
      [40, -1],
    ],
  });
  assert.equal(describeObjective(mixed), 'mixed4:0.5*3+12-40');
  assert.equal(describeObjective(negative(channel('mixed4', 97))), 'mixed4:-97');
  assert.equal(describeObjective(layer('mixed2')), 'mixed2');
  assert.deepEqual(sum(channel('a', 1), channel('a', 1)).weights, [[1, 2]]);
});

test('weights per channel: means divide by the positions, a layer by its channels too', () => {
  const f32 = (values: number[]) => Float32Array.from(values);
  assert.deepEqual(channelWeights(sum(channel('a', 1), negative(channel('a', 3))), 4, 10), f32([0, 0.1, 0, -0.1]));
  assert.deepEqual(channelWeights(layer('a'), 2, 5), f32([0.1, 0.1]));
});

test('refusals name the problem', () => {
  assert.throws(() => channelWeights(channel('mixed4', 768), 768, 36), {
    message: "channel 768 is out of range: layer 'mixed4' has channels 0 to 767",
  });
  assert.throws(() => channelWeights(scaled(channel('a', 0), Number.NaN), 2, 1), {
    message: 'visualize: the weight of channel 0 is not a finite number',
  });
  assert.throws(() => sum(channel('a', 0), channel('b', 0)), {
    message: 'visualize: a sum is of one layer, got a and b',
  });
  assert.throws(() => negative(layer('a')), { message: 'visualize: only channel objectives can be scaled' });
  assert.throws(() => channelWeights({ layer: 'a', reduce: 'mean', weights: [] }, 2, 1), {
    message: 'visualize: an objective on layer a needs at least one channel',
  });
});
