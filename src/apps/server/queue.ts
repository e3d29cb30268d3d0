/**
 * The dream queue: dreams wait in order, at most `concurrency` run at once, and finished results
 * stay in memory for a while (a time limit and a count limit) so the page can fetch them.
 */
import { randomUUID } from 'node:crypto';
import type { DreamProgress } from '../../core/dream/options.js';
import { HttpError } from './errors.js';

export type DreamStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** What the API reports about a dream. */
export interface DreamView {
  id: string;
  status: DreamStatus;
  /** Photo name, as uploaded. */
  name: string;
  /** Size the photo is dreamed at. */
  width: number;
  height: number;
  /** Place in the waiting line while queued: 1 is next. */
  position?: number;
  progress?: DreamProgress;
  /** Why the dream failed. */
  error?: string;
}

/** Does the work of one dream; rejects with the signal's reason when aborted. */
export type DreamTask = (control: {
  /** The dream's id. */
  id: string;
  onProgress: (progress: DreamProgress) => void;
  signal: AbortSignal;
  /** Which of the `concurrency` lanes runs it (0 to concurrency - 1): no two running dreams share one. */
  lane: number;
}) => Promise<Buffer>;

export interface QueueOptions {
  /** Dreams running at the same time. */
  concurrency: number;
  /** Dreams allowed to wait; more are refused with 503. */
  maxQueued: number;
  /** Finished dreams kept (the oldest go first). */
  maxResults: number;
  /** How long a finished dream is kept, in milliseconds. */
  resultTtlMs: number;
}

/** A dream in the queue, from submission until it is forgotten. */
interface QueueEntry {
  view: DreamView;
  task?: DreamTask;
  abort: AbortController;
  result?: Buffer;
  finishedAt?: number;
  listeners: Set<(view: DreamView) => void>;
}

const FINISHED: ReadonlySet<DreamStatus> = new Set(['done', 'failed', 'cancelled']);

export const isFinished = (status: DreamStatus): boolean => FINISHED.has(status);

export class DreamQueue {
  private readonly entries = new Map<string, QueueEntry>();
  private readonly waiting: QueueEntry[] = [];
  /** Lanes no running dream holds: as many dreams may start. */
  private readonly freeLanes: number[];
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly options: QueueOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(options.resultTtlMs, 60_000));
    this.sweeper.unref();
    this.freeLanes = Array.from({ length: options.concurrency }, (_, lane) => lane);
  }

  submit(info: { name: string; width: number; height: number }, task: DreamTask): DreamView {
    this.sweep();
    if (this.waiting.length >= this.options.maxQueued) {
      throw new HttpError(
        503,
        `the studio is busy (${this.waiting.length} dreams waiting); try again in a few minutes`,
      );
    }
    const entry: QueueEntry = {
      view: { id: randomUUID(), status: 'queued', ...info },
      task,
      abort: new AbortController(),
      listeners: new Set(),
    };
    this.entries.set(entry.view.id, entry);
    this.waiting.push(entry);
    this.pump();
    return this.get(entry.view.id)!;
  }

  get(id: string): DreamView | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const position = this.waiting.indexOf(entry);
    return { ...entry.view, ...(position >= 0 && { position: position + 1 }) };
  }

  /** The finished dream's bytes; undefined while it is not done. */
  result(id: string): Buffer | undefined {
    return this.entries.get(id)?.result;
  }

  /** Stops a queued or running dream; a finished one is forgotten. Returns its last view. */
  cancel(id: string): DreamView | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (isFinished(entry.view.status)) {
      this.entries.delete(id);
      return entry.view;
    }
    const position = this.waiting.indexOf(entry);
    if (position >= 0) this.waiting.splice(position, 1);
    entry.abort.abort(new Error('cancelled'));
    this.finish(entry, { status: 'cancelled' });
    this.notifyWaiting();
    return entry.view;
  }

  /** Calls `listener` on every change of the dream until it finishes; returns the unsubscribe. */
  subscribe(id: string, listener: (view: DreamView) => void): () => void {
    const listeners = this.entries.get(id)?.listeners;
    listeners?.add(listener);
    return () => listeners?.delete(listener);
  }

  /** Cancels everything (server shutdown). */
  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.entries.keys()]) {
      const entry = this.entries.get(id);
      if (entry && !isFinished(entry.view.status)) this.cancel(id);
    }
  }

  private pump(): void {
    while (this.freeLanes.length > 0 && this.waiting.length > 0) {
      const entry = this.waiting.shift()!;
      const lane = this.freeLanes.shift()!;
      void this.run(entry, lane).finally(() => {
        this.freeLanes.push(lane);
        this.pump();
      });
    }
    this.notifyWaiting();
  }

  private async run(entry: QueueEntry, lane: number): Promise<void> {
    const task = entry.task!;
    entry.task = undefined; // the task holds the photo's pixels: let them go once it finishes
    entry.view.status = 'running';
    this.notify(entry);
    try {
      const result = await task({
        id: entry.view.id,
        lane,
        signal: entry.abort.signal,
        onProgress: (progress) => {
          if (entry.view.status !== 'running') return;
          entry.view.progress = progress;
          this.notify(entry);
        },
      });
      if (entry.view.status === 'running') this.finish(entry, { status: 'done' }, result);
    } catch (err) {
      if (entry.view.status === 'running') {
        this.finish(entry, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private finish(entry: QueueEntry, outcome: Pick<DreamView, 'status' | 'error'>, result?: Buffer): void {
    Object.assign(entry.view, outcome);
    entry.task = undefined;
    entry.result = result;
    entry.finishedAt = this.now();
    this.notify(entry);
    entry.listeners.clear();
    this.sweep();
  }

  private notify(entry: QueueEntry): void {
    const view = this.get(entry.view.id);
    if (view) for (const listener of entry.listeners) listener(view);
  }

  /** Queue positions change for everyone behind a dream that starts or leaves. */
  private notifyWaiting(): void {
    for (const entry of this.waiting) this.notify(entry);
  }

  private sweep(): void {
    const finished = [...this.entries.values()].filter((e) => e.finishedAt !== undefined);
    const expired = this.now() - this.options.resultTtlMs;
    const excess = finished.length - this.options.maxResults;
    finished
      .sort((a, b) => a.finishedAt! - b.finishedAt!)
      .forEach((entry, index) => {
        if (index < excess || entry.finishedAt! <= expired) this.entries.delete(entry.view.id);
      });
  }
}
