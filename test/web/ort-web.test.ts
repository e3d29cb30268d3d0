/**
 * The browser host's runtime, onnxruntime-web on WebAssembly, run here in Node (its WebAssembly is
 * the same as in a browser): the engine's gradients on it match the PyTorch reference and the
 * native runtime, and it tells the engine where MaxPool has no indices.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGradientSession, type Runtime } from '../../src/core/engine/index.js';
import { loadModel } from '../../src/node/models/index.js';
import { nodeRuntime } from '../../src/node/runtime/ort.js';
import type { WebEngine } from '../../src/web/runtime/engine-choice.js';
import { importOrt, webRuntime, type OrtModule } from '../../src/web/runtime/ort-web.js';
import { readModelFixture } from '../fixtures/models/read-fixture.js';
import { relativeL2 } from '../support/compare.js';

const WASM_PATHS = new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url).href;
const wasm: WebEngine = { backend: 'wasm', threads: 1, notices: [] };

test('gradients on onnxruntime-web match PyTorch and the native runtime', async () => {
  const runtime = webRuntime(await importOrt(wasm), wasm, WASM_PATHS);
  const fixture = readModelFixture('inception_v3-mixed3-107x131');
  const model = await loadModel(fixture.model);
  const tile = { height: 107, width: 131 };
  // A whole-layer objective and a channel one (its channel weights are inputs of the session).
  for (const objective of fixture.objectives.filter((o) => o.term.reduce === 'meanSquare')) {
    const run = async (on: Runtime) => {
      const session = await createGradientSession(model, { terms: [objective.term] }, tile, on);
      try {
        return await session.run(fixture.input.data);
      } finally {
        await session.release();
      }
    };
    const web = await run(runtime);
    const native = await run(nodeRuntime);
    const label = JSON.stringify(objective.term);
    assert.ok(Math.abs(web.objective - objective.value) <= 1e-4 * Math.abs(objective.value), label);
    assert.ok(relativeL2(web.gradient, objective.gradient.data) <= 2e-3, label);
    const error = relativeL2(web.gradient, native.gradient);
    assert.ok(error <= 1e-5, `${label}: web vs native relative L2 ${error}`);
  }
});

test('on WebGPU the runtime asks for a MaxPool backward without indices', () => {
  const ort = { env: { wasm: {} } } as unknown as OrtModule;
  assert.equal(webRuntime(ort, { ...wasm, backend: 'webgpu' }, WASM_PATHS).maxPoolIndices, false);
  assert.equal(webRuntime(ort, wasm, WASM_PATHS).maxPoolIndices, true);
  assert.deepEqual(ort.env.wasm, { numThreads: 1, wasmPaths: WASM_PATHS });
});
