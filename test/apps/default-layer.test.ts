/**
 * One default layer per model: for the default model, the default preset's. A plain dream, the
 * library, `deepdream models`, `deepdream layers` and the studio all name the same one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { DEFAULT_MODEL, resolveDreamOptions } from '../../src/core/dream/options.js';
import { installedModelCatalog } from '../../src/apps/server/catalog.js';
import { listBundledModels, loadModel } from '../../src/node/models/index.js';

const BIN = new URL('../../bin/deepdream.js', import.meta.url).pathname;

async function deepdream(args: string[]): Promise<string> {
  return (await promisify(execFile)(process.execPath, [BIN, ...args])).stdout;
}

test('a plain dream amplifies the default preset layer, which every listing names as the default', async () => {
  assert.equal(DEFAULT_MODEL, 'inception_v3');
  assert.deepEqual(resolveDreamOptions({}).layers, [{ name: 'mixed4', weight: 1 }]);
  assert.deepEqual(
    listBundledModels().map(({ name, defaultLayer }) => [name, defaultLayer]),
    [
      ['inception_v3', 'mixed4'],
      ['mobilenet_v2', 'block_6_expand_relu'],
    ],
  );
  const listing = await deepdream(['models']);
  const studio = installedModelCatalog();
  for (const { name, defaultLayer } of listBundledModels()) {
    assert.equal((await loadModel(name)).defaultLayer, defaultLayer, name);
    assert.equal((await studio.layers(name))?.defaultLayer, defaultLayer, name);
    assert.match(listing, new RegExp(`\\n {2}${name} .*\\(default layer ${defaultLayer}\\)\\n`));
    assert.match(await deepdream(['layers', '--model', name]), new RegExp(`\\ndefault layer: ${defaultLayer}\\n$`));
  }
});
