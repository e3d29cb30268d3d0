/**
 * Messages between a page and its dream worker (worker.ts). The worker dreams one photo at a
 * time; every dream gets exactly one final reply with its id, done or failed. A dream is
 * cancelled by ending the worker.
 */
import type { DreamOptionsInput, DreamProgress } from '../../core/dream/options.js';
import type { WebBackend } from '../runtime/engine-choice.js';

export interface DreamOrder {
  type: 'dream';
  id: number;
  /** The photo as chosen: decoded in the worker, never sent anywhere. */
  photo: Blob;
  name: string;
  /** Long side the photo is scaled down to, and the most pixels it may have. */
  maxSize: number;
  maxPixels: number;
  options: DreamOptionsInput;
}

export type ToDreamWorker =
  /** Chooses the engine and loads the model named `model` ahead of a dream (replied to with engine and model). */
  { type: 'prepare'; model: string } | DreamOrder;

export interface EngineView {
  backend: WebBackend;
  threads: number;
  /** How the page names it, e.g. "WebAssembly, 2 threads". */
  label: string;
  notices: string[];
}

export type FromDreamWorker =
  | { type: 'engine'; engine: EngineView }
  /** The model's graph: downloading (bytes so far), then ready (how long loading took, and whether it came from the cache). */
  | { type: 'model'; name: string; received: number; total: number }
  | { type: 'model-ready'; name: string; cached: boolean; ms: number }
  | { type: 'model-failed'; name: string; message: string }
  | { type: 'progress'; id: number; progress: DreamProgress }
  | { type: 'done'; id: number; png: Blob; width: number; height: number }
  | { type: 'failed'; id: number; message: string };

/** Where the worker finds its models, relative to its own script: `models/<name>.json`. */
export function manifestUrl(workerUrl: string, model: string): string {
  return new URL(`models/${encodeURIComponent(model)}.json`, workerUrl).href;
}
