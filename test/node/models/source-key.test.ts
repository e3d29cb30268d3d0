/** The bundled model's cache key is remembered by file stamps, so unchanged weights are not re-read. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadModel } from '../../../src/node/models/index.js';
import { copyNsfwjsPackage, SHARD_FILE } from './package-copy.js';

const pkg = copyNsfwjsPackage();
const cacheDir = mkdtempSync(join(tmpdir(), 'models-cache-'));
after(() => {
  pkg.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});
const load = () => loadModel('mobilenet_v2', { packageDir: pkg.dir, cacheDir });
const cachedModels = () => readdirSync(cacheDir).filter((f) => f.endsWith('.onnx'));

test('unchanged stamps reuse the remembered key; changed ones re-read and re-hash the files', async () => {
  // Whole seconds, so the time can be restored exactly below.
  const shard = join(pkg.modelDir, SHARD_FILE);
  const stamp = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  utimesSync(shard, stamp, stamp);
  await load();
  assert.deepStrictEqual(readdirSync(cacheDir).sort(), [...cachedModels(), 'mobilenet_v2.sources.json'].sort());
  const [converted] = cachedModels();

  // Same size and modification time: the weights are not read again, so damage goes unseen.
  const good = pkg.read(SHARD_FILE);
  pkg.write(SHARD_FILE, good.replace(/[A-Za-z]/g, '!'));
  utimesSync(shard, stamp, stamp);
  assert.equal((await load()).name, 'mobilenet_v2');

  // A new modification time: the files are hashed again and the damage is found.
  const later = new Date(stamp.getTime() + 5000);
  utimesSync(shard, later, later);
  await assert.rejects(load(), /nsfwjs model file .*group1-shard1of1\.min\.js is corrupt/);

  // Restored contents with yet another time: same hash, same cached model, nothing converted anew.
  pkg.write(SHARD_FILE, good);
  assert.equal((await load()).name, 'mobilenet_v2');
  assert.deepStrictEqual(cachedModels(), [converted]);
});
