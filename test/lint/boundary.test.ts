import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESTRICTED, violations } from '../support/lint.js';

test('core imports no Node built-in and no host package, types included', async () => {
  const core = 'src/core/dream/planted.ts';
  assert.deepEqual(await violations(core, "export { readFileSync } from 'node:fs';"), [RESTRICTED]);
  assert.deepEqual(await violations(core, "import { join } from 'path';\nexport const j = join;"), [RESTRICTED]);
  assert.deepEqual(
    await violations(
      core,
      "import type { InferenceSession } from 'onnxruntime-node';\nexport type S = InferenceSession;",
    ),
    [RESTRICTED],
  );
  assert.deepEqual(await violations(core, "import sharp from 'sharp';\nexport const s = sharp;"), [RESTRICTED]);
  assert.deepEqual(await violations(core, "export * from 'onnxruntime-web';"), [RESTRICTED]);
});

test('core imports nothing from the hosts or the apps, not even on demand', async () => {
  const core = 'src/core/dream/planted.ts';
  assert.deepEqual(await violations(core, "export { findLayer } from '../../node/models/index.js';"), [RESTRICTED]);
  assert.deepEqual(await violations(core, "export { oneLine } from '../../apps/shared/errors.js';"), [RESTRICTED]);
  assert.deepEqual(await violations('src/core/planted.ts', "export * from '../index.js';"), [RESTRICTED]);
  assert.deepEqual(await violations(core, "export const load = () => import('./backend.js');"), [
    'no-restricted-syntax',
  ]);
  assert.deepEqual(await violations(core, 'export const threads = process.env.THREADS;'), ['no-restricted-globals']);
});

test('the host imports no app, and the CLI and the studio server import each other nothing', async () => {
  assert.deepEqual(await violations('src/node/models/planted.ts', "export { main } from '../../apps/cli/main.js';"), [
    RESTRICTED,
  ]);
  assert.deepEqual(
    await violations('src/apps/cli/commands/planted.ts', "export { startServer } from '../../server/index.js';"),
    [RESTRICTED],
  );
  assert.deepEqual(await violations('src/apps/server/planted.ts', "export { main } from '../cli/main.js';"), [
    RESTRICTED,
  ]);
});

test('allowed imports pass: core within core and protobufjs, hosts on core, apps on apps/shared', async () => {
  const allowed: [string, string][] = [
    [
      'src/core/dream/planted.ts',
      "export { default as protobuf } from 'protobufjs';\nexport type { Model } from '../onnx/ir.js';",
    ],
    [
      'src/node/models/planted.ts',
      "export { readFileSync } from 'node:fs';\nexport * from '../../core/models/types.js';",
    ],
    ['src/apps/cli/planted.ts', "export * from '../shared/errors.js';\nexport * from '../../node/models/index.js';"],
    ['src/apps/server/planted.ts', "export * from '../shared/recipe.js';\nexport { ESLint } from 'eslint';"],
  ];
  for (const [path, code] of allowed) assert.deepEqual(await violations(path, code), [], path);
});
