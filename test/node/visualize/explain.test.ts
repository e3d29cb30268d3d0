/** `explainPhoto`: the strongest channels of a layer for a photo, with visualizations and heat maps. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { readImage } from '../../../src/node/image/read.js';
import { loadModel } from '../../../src/node/models/index.js';
import { explainPhoto, explanationMontage } from '../../../src/node/visualize/explain.js';

const CAT = new URL('../../../examples/cat.jpg', import.meta.url).pathname;
const LIGHT = { layer: 'mixed0', size: 48, steps: 2 } as const;

describe('explainPhoto', () => {
  let dir = '';
  let model: LoadedModel;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inceptionism-explain-'));
    model = await loadModel('inception_v3');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('the top channels, strongest first, each with its visualization and a heat map over the photo', async () => {
    const { image: photo } = await readImage(CAT, { maxSize: 160 });
    const atlas = join(dir, 'atlas');
    const explanation = await explainPhoto(photo, { ...LIGHT, model, top: 3, atlas });
    assert.deepEqual(
      [explanation.model, explanation.layer, explanation.channels.length],
      ['inception_v3', 'mixed0', 3],
    );
    const [a, b, c] = explanation.channels.map((ch) => ch.activation);
    assert.ok(a! >= b! && b! >= c! && c! > 0, `${a} ${b} ${c}`);
    for (const ch of explanation.channels) {
      assert.deepEqual([ch.visualization.width, ch.heatMap.width, ch.heatMap.height], [48, photo.width, photo.height]);
    }
    const sheet = explanationMontage(explanation, 3);
    const cell = 48 + 2 + Math.round((photo.width * 48) / photo.height);
    assert.deepEqual([sheet.width, sheet.height], [3 * cell + 4 * 6, 48 + 2 * 6]);
    // The visualizations went to the atlas: explaining again renders nothing new.
    const progress: number[] = [];
    await explainPhoto(photo, { ...LIGHT, model, top: 3, atlas }, { onProgress: (p) => progress.push(p.cached) });
    assert.deepEqual(progress, [3]);
  });

  it('refuses a photo smaller than the network takes, before any work', async () => {
    const tiny = { width: 30, height: 60, data: new Float32Array(30 * 60 * 3) };
    await assert.rejects(explainPhoto(tiny, { ...LIGHT, model, atlas: join(dir, 'unused') }), {
      message: "photo must be at least 43 pixels on each side for inception_v3 (got '30x60')",
    });
    await assert.rejects(explainPhoto(tiny, { ...LIGHT, model, top: 0, atlas: join(dir, 'unused') }), {
      message: 'top must be an integer from 1 to 256 (got 0)',
    });
  });
});
