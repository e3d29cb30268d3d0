/** The browser host's boundary: src/web builds on src/core and onnxruntime-web only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESTRICTED, violations } from '../support/lint.js';

const WEB = 'src/web/dream/planted.ts';

test('web imports no Node built-in and no Node package, types included', async () => {
  assert.deepEqual(await violations(WEB, "export { readFileSync } from 'node:fs';"), [RESTRICTED]);
  assert.deepEqual(await violations(WEB, "import { join } from 'path';\nexport const j = join;"), [RESTRICTED]);
  assert.deepEqual(
    await violations(
      WEB,
      "import type { InferenceSession } from 'onnxruntime-node';\nexport type S = InferenceSession;",
    ),
    [RESTRICTED],
  );
  assert.deepEqual(await violations(WEB, "import sharp from 'sharp';\nexport const s = sharp;"), [RESTRICTED]);
  assert.deepEqual(await violations(WEB, 'export const threads = process.env.THREADS;'), ['no-restricted-globals']);
  assert.deepEqual(await violations(WEB, 'export const bytes = Buffer.alloc(1);'), ['no-restricted-globals']);
});

test('web imports nothing from the Node host, the apps or the library index, not even on demand', async () => {
  assert.deepEqual(await violations(WEB, "export { loadModel } from '../../node/models/index.js';"), [RESTRICTED]);
  assert.deepEqual(await violations(WEB, "export const load = () => import('../../node/models/index.js');"), [
    'no-restricted-syntax',
  ]);
  assert.deepEqual(await violations(WEB, "export const load = () => import('node:fs');"), ['no-restricted-syntax']);
  assert.deepEqual(await violations(WEB, 'export const load = (name: string) => import(name);'), [
    'no-restricted-syntax',
  ]);
  assert.deepEqual(await violations(WEB, "export { oneLine } from '../../apps/shared/errors.js';"), [RESTRICTED]);
  assert.deepEqual(await violations('src/web/planted.ts', "export * from '../index.js';"), [RESTRICTED]);
});

test('core imports nothing from the browser host', async () => {
  assert.deepEqual(
    await violations('src/core/dream/planted.ts', "export { webRuntime } from '../../web/runtime/ort-web.js';"),
    [RESTRICTED],
  );
});

test('allowed imports pass: web on core, onnxruntime-web (and its subpaths) and protobufjs', async () => {
  const code = [
    "export * from '../../core/dream/dream-image.js';",
    "export * from '../runtime/engine-choice.js';",
    "export type { Tensor } from 'onnxruntime-web';",
    "export const wasm = () => import('onnxruntime-web/wasm');",
    "export { default as protobuf } from 'protobufjs';",
  ].join('\n');
  assert.deepEqual(await violations(WEB, code), []);
});
