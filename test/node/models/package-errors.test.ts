/** Missing, corrupt or altered nsfwjs files give one clear line each, and nothing is cached. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { loadModel } from '../../../src/node/models/index.js';
import { NSFWJS_DIR_ENV } from '../../../src/node/models/nsfwjs-files.js';
import { copyNsfwjsPackage, MODEL_FILE, replaceOnce, SHARD_FILE, type PackageCopy } from './package-copy.js';

let pkg: PackageCopy;
let cacheDir: string;
before(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'models-cache-'));
});
beforeEach(() => {
  pkg?.dispose();
  pkg = copyNsfwjsPackage();
});
after(() => {
  pkg.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function loadError(): Promise<string> {
  const error = await loadModel('mobilenet_v2', { packageDir: pkg.dir, cacheDir }).then(
    () => assert.fail('loadModel succeeded'),
    (err: unknown) => err as Error,
  );
  assert.ok(error instanceof Error);
  assert.doesNotMatch(error.message, /\n/, 'one line');
  assert.deepStrictEqual(readdirSync(cacheDir), [], 'nothing cached');
  return error.message;
}

test('the intact copy loads (so each failure below is caused by its damage)', async () => {
  const model = await loadModel('mobilenet_v2', { packageDir: pkg.dir, cacheDir: join(cacheDir, 'ok') });
  assert.equal(model.name, 'mobilenet_v2');
  rmSync(join(cacheDir, 'ok'), { recursive: true });
});

test('a missing package points at npm install, also when given through the environment', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-nsfwjs-'));
  try {
    await assert.rejects(
      loadModel('mobilenet_v2', { packageDir: empty, cacheDir }),
      /is not an nsfwjs package.*run `npm install`/,
    );
    process.env[NSFWJS_DIR_ENV] = empty;
    await assert.rejects(loadModel('mobilenet_v2', { cacheDir }), new RegExp(`${empty} is not an nsfwjs package`));
  } finally {
    delete process.env[NSFWJS_DIR_ENV];
    rmSync(empty, { recursive: true });
  }
});

test('a missing shard file is named', async () => {
  pkg.remove(SHARD_FILE);
  assert.match(
    await loadError(),
    new RegExp(`cannot read nsfwjs model file .*${SHARD_FILE} \\(ENOENT\\); reinstall it with \`npm install\`$`),
  );
});

test('a truncated shard file is reported as corrupt', async () => {
  const text = pkg.read(SHARD_FILE);
  pkg.write(SHARD_FILE, text.slice(0, text.length / 2));
  assert.match(await loadError(), new RegExp(`nsfwjs model file .*${SHARD_FILE} is corrupt \\(.*\\); reinstall it`));
});

test('base64 garbage in a shard is reported', async () => {
  pkg.write(SHARD_FILE, replaceOnce(pkg.read(SHARD_FILE), 'exports="', 'exports="!@#$'));
  assert.match(await loadError(), new RegExp(`${SHARD_FILE} is corrupt \\(it does not export a base64 string\\)`));
});

test('weights shorter than the manifest are reported', async () => {
  // Drop the last 8 base64 characters (6 bytes): still valid base64, but too short.
  const text = pkg.read(SHARD_FILE);
  const end = text.indexOf('"', text.indexOf('exports="') + 'exports="'.length);
  pkg.write(SHARD_FILE, text.slice(0, end - 8) + text.slice(end));
  assert.match(
    await loadError(),
    /^nsfwjs mobilenet_v2 weights: weight data is \d+ bytes but the manifest describes \d+ \(truncated or corrupt files\)$/,
  );
});

test('a truncated model file is reported as corrupt', async () => {
  const text = pkg.read(MODEL_FILE);
  pkg.write(MODEL_FILE, text.slice(0, 5000));
  assert.match(await loadError(), new RegExp(`nsfwjs model file .*${MODEL_FILE} is corrupt`));
});

test('an unsupported layer type below the cut names the layer and class', async () => {
  pkg.write(
    MODEL_FILE,
    replaceOnce(
      pkg.read(MODEL_FILE),
      'class_name:"ReLU",config:{name:"Conv1_relu"',
      'class_name:"PReLU",config:{name:"Conv1_relu"',
    ),
  );
  assert.match(await loadError(), /^Keras layer Conv1_relu \(PReLU\): layer type is not supported/);
});

test('a trainable layer below the cut means the package changed: refused', async () => {
  pkg.write(
    MODEL_FILE,
    replaceOnce(
      pkg.read(MODEL_FILE),
      'config:{name:"block_5_add",trainable:!1}',
      'config:{name:"block_5_add",trainable:!0}',
    ),
  );
  assert.match(
    await loadError(),
    /layer block_5_add below block_10_project_BN is trainable; the package changed and the model is refused/,
  );
});
