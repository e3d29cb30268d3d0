import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseEngine,
  engineLabel,
  NO_ADAPTER_NOTICE,
  NO_THREADS_NOTICE,
} from '../../src/web/runtime/engine-choice.js';

const isolated = { crossOriginIsolated: true, hardwareConcurrency: 8, webGpuAdapter: false };

test('WebAssembly with threads up to 4 (or the cores there are) on an isolated page without WebGPU', () => {
  assert.deepEqual(chooseEngine(isolated), { backend: 'wasm', threads: 4, notices: [NO_ADAPTER_NOTICE] });
  assert.equal(chooseEngine({ ...isolated, hardwareConcurrency: 2 }).threads, 2);
  assert.equal(chooseEngine(isolated, { maxThreads: 2 }).threads, 2);
  assert.equal(chooseEngine({ ...isolated, hardwareConcurrency: 0 }).threads, 1);
});

test('a page that is not cross-origin isolated runs one thread, and says so', () => {
  const engine = chooseEngine({ ...isolated, crossOriginIsolated: false });
  assert.deepEqual(engine, { backend: 'wasm', threads: 1, notices: [NO_ADAPTER_NOTICE, NO_THREADS_NOTICE] });
});

test('WebGPU where there is an adapter, unless WebAssembly is asked for', () => {
  assert.deepEqual(chooseEngine({ ...isolated, webGpuAdapter: true }), { backend: 'webgpu', threads: 4, notices: [] });
  assert.deepEqual(chooseEngine({ ...isolated, webGpuAdapter: true }, { backend: 'wasm' }), {
    backend: 'wasm',
    threads: 4,
    notices: [],
  });
});

test('the page names the engine', () => {
  assert.equal(engineLabel({ backend: 'wasm', threads: 2 }), 'WebAssembly, 2 threads');
  assert.equal(engineLabel({ backend: 'wasm', threads: 1 }), 'WebAssembly, 1 thread');
  assert.equal(engineLabel({ backend: 'webgpu', threads: 4 }), 'WebGPU (WebAssembly, 4 threads, for the rest)');
});
