/** The studio's layer lists of an imported network: grouped by block, block names accepted in the form. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installedModelCatalog, type ModelCatalog, type ModelLayers } from '../../../src/apps/server/catalog.js';
import { TORCH_IMAGENET_PREPROCESSING } from '../../../src/core/models/descriptor.js';
import { addModel } from '../../../src/node/models/installed.js';
import { torchvisionBytes } from '../../support/torchvision-fixtures.js';
import { errorMessage, photoPng, postDream, testServer } from './helpers.js';

describe('studio layers of an imported GoogLeNet', () => {
  const savedCache = process.env['INCEPTIONISM_CACHE_DIR'];
  let layers: ModelLayers;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inceptionism-studio-layers-'));
    process.env['INCEPTIONISM_CACHE_DIR'] = dir;
    writeFileSync(join(dir, 'googlenet.onnx'), torchvisionBytes('googlenet'));
    await addModel(join(dir, 'googlenet.onnx'), { descriptor: { preprocessing: TORCH_IMAGENET_PREPROCESSING } });
    layers = (await installedModelCatalog().layers('googlenet'))!;
  });
  after(() => {
    if (savedCache === undefined) delete process.env['INCEPTIONISM_CACHE_DIR'];
    else process.env['INCEPTIONISM_CACHE_DIR'] = savedCache;
  });

  test('/api/models/:name/layers groups branch tensors under their block, without 1x1 maps', () => {
    assert.equal(layers.defaultLayer, 'inception4d');
    assert.deepEqual(layers.recommendedLayers, ['inception4a', 'inception4d', 'inception5b']);
    assert.deepEqual(
      layers.blocks?.find((b) => b.name === 'inception4c'),
      {
        name: 'inception4c',
        output: '/inception4c/Concat_output_0',
      },
    );
    const inception4c = layers.layers.filter((l) => l.block === 'inception4c').map((l) => l.name);
    assert.equal(inception4c.length, 14);
    assert.equal(inception4c.at(-1), '/inception4c/Concat_output_0');
    assert.ok(!layers.layers.some((l) => l.name === '/avgpool/GlobalAveragePool_output_0'), 'no 1x1 map');
  });

  test('a block name is a layer the form accepts', async () => {
    const catalog: ModelCatalog = {
      list: async () => [{ name: 'googlenet', description: 'imported', presets: false }],
      layers: async (model) => (model === 'googlenet' ? layers : undefined),
    };
    const app = await testServer({ catalog });
    try {
      const photo = [{ name: 'p.png', bytes: await photoPng() }];
      const accepted = await postDream(app, { model: 'googlenet', layer: 'inception4c', steps: '1' }, photo);
      assert.equal(accepted.statusCode, 202, accepted.body);
      const refused = await postDream(app, { model: 'googlenet', layer: 'inception9z', steps: '1' }, photo);
      assert.equal(refused.statusCode, 400);
      assert.equal(errorMessage(refused), "model googlenet has no dreamable layer 'inception9z'");
    } finally {
      await app.close();
    }
  });
});
