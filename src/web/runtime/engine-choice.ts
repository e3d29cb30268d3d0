/**
 * Which onnxruntime-web engine a browser gets: WebGPU where it has an adapter, else WebAssembly,
 * threaded where the page is cross-origin isolated (shared memory needs it), else on one thread.
 */

export type WebBackend = 'webgpu' | 'wasm';

export interface WebEngine {
  backend: WebBackend;
  /** WebAssembly threads (also used by WebGPU for the operators it leaves to the CPU). */
  threads: number;
  /** Why the engine is less than the best, in sentences for the page; empty when nothing is missing. */
  notices: string[];
}

/** What the browser offers, as found by probeBrowser. */
export interface BrowserAbilities {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Whether navigator.gpu gave an adapter. */
  webGpuAdapter: boolean;
}

export interface EngineRequest {
  /** 'wasm' skips WebGPU even with an adapter. */
  backend?: WebBackend;
  /** Most WebAssembly threads (default 4: more cores gain little on one dream and slow the page). */
  maxThreads?: number;
}

/** The page cannot share memory with threads: served without COOP/COEP headers, and its service worker could not add them. */
export const NO_THREADS_NOTICE = 'This page is not cross-origin isolated, so WebAssembly runs on one thread (slower).';
export const NO_ADAPTER_NOTICE = 'No WebGPU adapter in this browser: dreaming on WebAssembly.';

export function chooseEngine(browser: BrowserAbilities, request: EngineRequest = {}): WebEngine {
  const notices: string[] = [];
  const wantGpu = request.backend !== 'wasm';
  if (wantGpu && !browser.webGpuAdapter) notices.push(NO_ADAPTER_NOTICE);
  let threads = Math.max(1, Math.min(request.maxThreads ?? 4, browser.hardwareConcurrency || 1));
  if (!browser.crossOriginIsolated) {
    threads = 1;
    notices.push(NO_THREADS_NOTICE);
  }
  return { backend: wantGpu && browser.webGpuAdapter ? 'webgpu' : 'wasm', threads, notices };
}

/** The engine as the page names it. */
export function engineLabel(engine: Pick<WebEngine, 'backend' | 'threads'>): string {
  const threads = `${engine.threads} thread${engine.threads === 1 ? '' : 's'}`;
  return engine.backend === 'webgpu' ? `WebGPU (WebAssembly, ${threads}, for the rest)` : `WebAssembly, ${threads}`;
}

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

/** This browser's abilities (in a page or a worker). */
export async function probeBrowser(scope: typeof globalThis = globalThis): Promise<BrowserAbilities> {
  const nav = scope.navigator as Navigator & GpuNavigator;
  let webGpuAdapter = false;
  try {
    webGpuAdapter = (await nav.gpu?.requestAdapter()) != null;
  } catch {
    // A browser that throws here has no usable adapter.
  }
  return {
    crossOriginIsolated: scope.crossOriginIsolated === true,
    hardwareConcurrency: nav.hardwareConcurrency ?? 1,
    webGpuAdapter,
  };
}
