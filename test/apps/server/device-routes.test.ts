/** The studio's side of "Dream on this device": the web build under /device/, models for browsers, isolation headers. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { installedModelCatalog } from '../../../src/apps/server/catalog.js';
import { parseManifest } from '../../../src/core/models/manifest.js';
import { decodeModel } from '../../../src/core/onnx/codec.js';
import { temporaryWebBuild } from '../../support/web-build.js';
import { errorMessage, testServer } from './helpers.js';

describe('studio with a web build', () => {
  let app: FastifyInstance;
  let build: Awaited<ReturnType<typeof temporaryWebBuild>>;
  before(async () => {
    build = await temporaryWebBuild();
    app = await testServer({ webDir: build.dir, catalog: installedModelCatalog() });
  });
  after(async () => {
    await app.close();
    await build.remove();
  });

  test('every answer is cross-origin isolated, for WebAssembly threads', async () => {
    for (const url of ['/', '/api/presets', '/device/worker.js', '/nowhere']) {
      const response = await app.inject({ url });
      assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin', url);
      assert.equal(response.headers['cross-origin-embedder-policy'], 'require-corp', url);
    }
  });

  test('the page learns where the web build is, which serves the worker and the WebAssembly', async () => {
    assert.deepEqual((await app.inject({ url: '/api/presets' })).json().device, { bundle: '/device/' });
    const worker = await app.inject({ url: '/device/worker.js' });
    assert.equal(worker.statusCode, 200);
    assert.match(String(worker.headers['content-type']), /javascript/);
    const wasm = await app.inject({ url: '/device/ort/ort-wasm-simd-threaded.wasm' });
    assert.equal(wasm.headers['content-type'], 'application/wasm');
  });

  test('a model for browsers: its manifest, and its graph under a name that changes with it', async () => {
    const response = await app.inject({ url: '/device/models/mobilenet_v2.json' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-cache');
    const manifest = parseManifest(response.json(), 'mobilenet_v2.json');
    assert.equal(manifest.name, 'mobilenet_v2');
    assert.equal(manifest.defaultLayer, 'block_6_expand_relu');
    assert.match(manifest.onnx, /^mobilenet_v2-[0-9a-f]{16}\.onnx$/);
    const graph = await app.inject({ url: `/device/models/${manifest.onnx}` });
    assert.equal(graph.statusCode, 200);
    assert.equal(graph.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(graph.rawPayload.length, manifest.bytes);
    assert.equal(decodeModel(graph.rawPayload).graph.inputs[0]!.name, manifest.inputName);
  });

  test('unknown models and stale graphs are 404s with one-line errors', async () => {
    const unknown = await app.inject({ url: '/device/models/nope.json' });
    assert.deepEqual([unknown.statusCode, errorMessage(unknown)], [404, "unknown model 'nope'"]);
    const stale = await app.inject({ url: '/device/models/mobilenet_v2-0123456789abcdef.onnx' });
    assert.deepEqual(
      [stale.statusCode, errorMessage(stale)],
      [404, 'mobilenet_v2-0123456789abcdef.onnx is not the current graph of mobilenet_v2'],
    );
    const other = await app.inject({ url: '/device/models/mobilenet_v2.txt' });
    assert.deepEqual([other.statusCode, errorMessage(other)], [404, 'not found: /device/models/mobilenet_v2.txt']);
  });
});

test('without a web build the page is told nothing of the device and /device/ is not served', async () => {
  const app = await testServer();
  try {
    assert.equal('device' in (await app.inject({ url: '/api/presets' })).json(), false);
    assert.equal((await app.inject({ url: '/device/worker.js' })).statusCode, 404);
  } finally {
    await app.close();
  }
});
