/**
 * The main-thread side of the long-lived dream worker (worker.ts): one worker thread per setup,
 * serving a queue of requests one at a time so its model and compiled sessions serve every dream.
 * The thread keeps the process alive only while a caller waits for a dream, and a thread that
 * dies fails its current request and is replaced for the next one.
 */
import { Worker } from 'node:worker_threads';
import type { RgbImage } from '../../core/image/rgb.js';
import type { DreamControl } from '../../core/dream/dream-image.js';
import type { DreamOptions } from '../../core/dream/options.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.js';

type WorkerRequest =
  | { type: 'dream'; image: RgbImage; options: DreamOptions; keepSessions: boolean; octaveImages: boolean }
  | { type: 'warm-up'; options: DreamOptions };

/** A request waiting for the thread or being served by it. */
interface PendingRequest {
  id: number;
  request: WorkerRequest;
  transfer: ArrayBuffer[];
  /** Who waits for the result; absent for a warm-up, and removed once they have their answer. */
  caller?: {
    control: DreamControl;
    settle: (outcome: { image: RgbImage } | { error: unknown }) => void;
  };
}

const workers = new Map<string, DreamWorker>();

/** The one worker of this process for `setup`. */
export function dreamWorkerFor(setup: WorkerSetup): DreamWorker {
  const key = JSON.stringify([
    setup.backendModule ?? null,
    setup.threads ?? null,
    setup.device ?? 'cpu',
    setup.lane ?? 0,
  ]);
  let worker = workers.get(key);
  if (!worker) {
    worker = new DreamWorker(setup);
    workers.set(key, worker);
  }
  return worker;
}

export class DreamWorker {
  private thread: Worker | undefined;
  private readonly queue: PendingRequest[] = [];
  private running: PendingRequest | undefined;
  private nextId = 1;

  constructor(private readonly setup: WorkerSetup) {}

  /** Queues a dream; aborting `control.signal` rejects at once and stops the work after its current tile. */
  dream(
    image: RgbImage,
    options: DreamOptions,
    control: DreamControl,
    { transferImage, keepSessions }: { transferImage: boolean; keepSessions: boolean },
  ): Promise<RgbImage> {
    return new Promise((resolve, reject) => {
      const pending: PendingRequest = {
        id: this.nextId++,
        request: { type: 'dream', image, options, keepSessions, octaveImages: control.onOctave !== undefined },
        transfer: transferImage ? [image.data.buffer as ArrayBuffer] : [],
      };
      const onAbort = () => {
        this.settle(pending, { error: control.signal?.reason });
        if (this.running === pending) this.thread?.postMessage({ type: 'abort', id: pending.id } satisfies ToWorker);
        else this.queue.splice(this.queue.indexOf(pending), 1);
      };
      pending.caller = {
        control,
        settle: (outcome) => {
          control.signal?.removeEventListener('abort', onAbort);
          if ('image' in outcome) resolve(outcome.image);
          else reject(outcome.error);
        },
      };
      control.signal?.addEventListener('abort', onAbort, { once: true });
      this.enqueue(pending);
    });
  }

  /** Queues loading the options' model, so the dreams after it start at once. */
  warmUp(options: DreamOptions): void {
    this.enqueue({ id: this.nextId++, request: { type: 'warm-up', options }, transfer: [] });
  }

  private enqueue(pending: PendingRequest): void {
    this.queue.push(pending);
    this.next();
  }

  private next(): void {
    const pending = this.running ? undefined : this.queue.shift();
    if (pending) {
      this.running = pending;
      this.thread ??= this.start();
      this.thread.postMessage({ ...pending.request, id: pending.id } satisfies ToWorker, pending.transfer);
    }
    this.holdProcessOpen();
  }

  /**
   * A waiting caller keeps the process alive, and so does a dream the thread is still running after
   * its caller gave up: a process that exits while ONNX Runtime runs in a worker aborts natively
   * ('Napi::Error'). An idle thread or a warm-up does not.
   */
  private holdProcessOpen(): void {
    const waiting =
      this.running?.request.type === 'dream' || [this.running, ...this.queue].some((pending) => pending?.caller);
    if (waiting) this.thread?.ref();
    else this.thread?.unref();
  }

  private settle(pending: PendingRequest, outcome: { image: RgbImage } | { error: unknown }): void {
    const caller = pending.caller;
    delete pending.caller;
    caller?.settle(outcome);
    this.holdProcessOpen();
  }

  private start(): Worker {
    const thread = startThread(this.setup);
    thread.on('message', (message: FromWorker) => this.receive(message));
    // 'error' (an uncaught exception) is followed by 'exit': the first one explains the failure.
    thread.on('error', (error) => this.lost(thread, `dream worker crashed: ${error.message}`));
    thread.on('exit', (code) => this.lost(thread, `dream worker stopped unexpectedly (exit code ${code})`));
    return thread;
  }

  private receive(message: FromWorker): void {
    const pending = this.running;
    if (pending?.id !== message.id) return;
    if (message.type === 'progress') {
      pending.caller?.control.onProgress?.(message.progress);
      return;
    }
    if (message.type === 'octave') {
      pending.caller?.control.onOctave?.(message.image, message.octave);
      return;
    }
    if (message.type === 'done') this.settle(pending, { image: message.image });
    else if (message.type === 'error') this.settle(pending, { error: new Error(message.message) });
    this.running = undefined;
    this.next();
  }

  private lost(thread: Worker, reason: string): void {
    if (this.thread !== thread) return;
    this.thread = undefined;
    const pending = this.running;
    this.running = undefined;
    if (pending) this.settle(pending, { error: new Error(reason) });
    this.next();
  }
}

/**
 * From TypeScript sources (run through tsx, no build step) the worker must register tsx's loader
 * itself: module hooks are not inherited by worker threads. From compiled JavaScript it starts directly.
 */
function startThread(setup: WorkerSetup): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: setup });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}
