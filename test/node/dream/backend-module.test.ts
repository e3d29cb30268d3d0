/** The backend a dream or render gets: a chosen module's, by path or URL, else the engine's. */
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backendModuleUrl, createDreamBackend } from '../../../src/node/dream/backend-module.js';
import { resolveDreamOptions } from '../../../src/core/dream/options.js';

const FAKE = new URL('../../support/fake-backend-module.ts', import.meta.url);
const options = resolveDreamOptions({ layers: [{ name: 'a', weight: 1 }] });

test('a backend module is named by a path (from the working folder), a file URL or a URL object', () => {
  const path = relative(process.cwd(), fileURLToPath(FAKE));
  assert.equal(backendModuleUrl(path), FAKE.href);
  assert.equal(backendModuleUrl(pathToFileURL(path).href), FAKE.href);
  assert.equal(backendModuleUrl(new URL(`${FAKE.href}?kind=fail`)), `${FAKE.href}?kind=fail`);
});

test("the chosen module's createBackend makes the backend", async () => {
  const backend = await createDreamBackend(options, { backendModule: new URL(`${FAKE.href}?minInputSize=12`) });
  assert.equal(backend.minInputSize, 12);
  assert.deepEqual(backend.resolveLayers([]), [{ name: 'fake_default', weight: 1 }]);
  await assert.rejects(createDreamBackend(options, { backendModule: `${FAKE.href}?kind=fail` }), {
    message: 'fake backend refused: no such model',
  });
});
