/**
 * The engine's runtime in a browser: onnxruntime-web on WebAssembly (SIMD, threads) or WebGPU.
 * Threads are a global setting of onnxruntime-web, so they are the engine's, not each session's.
 */
import type * as Ort from 'onnxruntime-web';
import { ortRuntimeSession } from '../../core/engine/ort-session.js';
import type { Runtime } from '../../core/engine/runtime.js';
import type { WebEngine } from './engine-choice.js';

export type OrtModule = typeof Ort;

/** The onnxruntime-web build an engine needs: WebGPU's is twice the download, so WebAssembly gets its own. */
export function importOrt(engine: Pick<WebEngine, 'backend'>): Promise<OrtModule> {
  return engine.backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm');
}

/**
 * @param wasmPaths Folder (URL ending in '/') holding onnxruntime-web's ort-wasm-*.mjs and .wasm files.
 */
export function webRuntime(ort: OrtModule, engine: WebEngine, wasmPaths: string): Runtime {
  ort.env.wasm.numThreads = engine.threads;
  ort.env.wasm.wasmPaths = wasmPaths;
  const executionProviders = engine.backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
  return {
    // WebGPU's MaxPool kernel has no indices output.
    maxPoolIndices: engine.backend !== 'webgpu',
    async createSession(model) {
      const session = await ort.InferenceSession.create(model, {
        executionProviders,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        // As on Node: the memory-pattern planner slows the first runs of each session.
        enableMemPattern: false,
      });
      return ortRuntimeSession(session, (t) => new ort.Tensor(t.data, t.dims), 'onnxruntime-web');
    },
  };
}
