/**
 * The page's side of "Dream on this device": starts the dream worker, sends it photos and reports
 * each dream the way the studio server reports its dreams (running/done/failed/cancelled views),
 * so the page shows both alike. Cancelling ends the worker at once (a running WebAssembly session
 * hears no message until it returns, which takes seconds) and starts a new one. A worker that dies
 * (out of memory, say) ends its dream with a one-line message and is replaced on the next dream.
 */
import type { DreamProgress } from '../../core/dream/options.js';
import { WORKER_STOPPED } from '../dream/failure.js';
import type { DreamOrder, EngineView, FromDreamWorker, ToDreamWorker } from '../dream/protocol.js';

export type { EngineView } from '../dream/protocol.js';
export { isolatePage } from './isolation.js';

export interface DeviceDreamView {
  id: number;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  progress?: DreamProgress;
  /** While the network is being fetched: bytes so far and in all. */
  download?: { received: number; total: number };
  /** Done: the dream as a PNG. */
  png?: Blob;
  width?: number;
  height?: number;
  /** Failed: why, in one line. */
  error?: string;
}

export type DreamRequest = Omit<DreamOrder, 'type' | 'id'>;

export interface DeviceEvents {
  /** The engine the worker chose (once per worker). */
  engine?(engine: EngineView): void;
  /** A model is ready (how long it took, and whether it came from this browser's cache) or could not load. */
  model?(event: { name: string; cached?: boolean; ms?: number; error?: string }): void;
}

export class DeviceDreamer {
  private worker: Worker | undefined;
  private nextId = 1;
  private running: { id: number; onView: (view: DeviceDreamView) => void } | undefined;
  private prepared: string | undefined;

  /** @param workerUrl URL of the dream worker's script (worker.js of the web build). */
  constructor(
    private readonly workerUrl: string,
    private readonly events: DeviceEvents = {},
  ) {}

  /** Starts the worker and loads `model` now, so the first dream starts sooner. */
  prepare(model: string): void {
    this.prepared = model;
    this.send({ type: 'prepare', model });
  }

  /** Dreams a photo; `onView` later hears its progress and exactly one final view. Returns the dream's id. */
  dream(request: DreamRequest, onView: (view: DeviceDreamView) => void): number {
    if (this.running) throw new Error('a dream is already running on this device');
    const id = this.nextId++;
    this.running = { id, onView };
    this.send({ type: 'dream', id, ...request });
    return id;
  }

  cancel(): void {
    const running = this.running;
    if (!running) return;
    this.stopWorker();
    running.onView({ id: running.id, status: 'cancelled' });
    // The next dream should not wait for the model: the new worker loads it now.
    if (this.prepared !== undefined) this.prepare(this.prepared);
  }

  private send(message: ToDreamWorker): void {
    if (!this.worker) {
      this.worker = new Worker(this.workerUrl, { type: 'module', name: 'dream' });
      this.worker.onmessage = (event: MessageEvent<FromDreamWorker>) => this.receive(event.data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.workerDied();
      };
      if (this.prepared !== undefined && message.type !== 'prepare') {
        this.worker.postMessage({ type: 'prepare', model: this.prepared } satisfies ToDreamWorker);
      }
    }
    this.worker.postMessage(message);
  }

  private receive(message: FromDreamWorker): void {
    const running = this.running;
    switch (message.type) {
      case 'engine':
        this.events.engine?.(message.engine);
        return;
      case 'model':
        running?.onView({ id: running.id, status: 'running', download: message });
        return;
      case 'model-ready':
        this.events.model?.(message);
        return;
      case 'model-failed':
        this.events.model?.({ name: message.name, error: message.message });
        return;
    }
    if (message.id !== running?.id) return;
    if (message.type === 'progress') {
      running.onView({ id: message.id, status: 'running', progress: message.progress });
      return;
    }
    this.running = undefined;
    if (message.type === 'done') {
      const { png, width, height } = message;
      running.onView({ id: message.id, status: 'done', png, width, height });
    } else {
      running.onView({ id: message.id, status: 'failed', error: message.message });
    }
  }

  private workerDied(): void {
    const running = this.running;
    this.stopWorker();
    if (!running) return;
    running.onView({ id: running.id, status: 'failed', error: WORKER_STOPPED });
    // Once per failed dream (a worker that dies while loading the model is not restarted in a loop).
    if (this.prepared !== undefined) this.prepare(this.prepared);
  }

  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.running = undefined;
  }
}
