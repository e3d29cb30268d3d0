/**
 * The dream queue, on top of the data folder (store/): dreams wait in order, at most
 * `concurrency` run at once (each in a lane of its own, through the executor), and every change
 * is told to the dream's listeners. The store holds the truth; the queue adds what only lives
 * while the studio runs: places in line, progress, the latest intermediate image.
 */
import { randomUUID } from 'node:crypto';
import {
  dreamKind,
  ShuttingDown,
  type DreamExecutor,
  type DreamJobSpec,
  type DreamKind,
  type JobProgress,
} from '../shared/dream-job.js';
import { errorMessage } from '../shared/errors.js';
import { HttpError } from './errors.js';
import { isFinished, type DreamRecord, type DreamSettings, type DreamStatus, type DreamStore } from './store/index.js';

export { isFinished, type DreamStatus } from './store/index.js';

/** What the API reports about a dream. */
export interface DreamView {
  id: string;
  kind: DreamKind;
  status: DreamStatus;
  /** Photo name, as uploaded. */
  name: string;
  /** Size the photo is dreamed at. */
  width: number;
  height: number;
  /** When it was asked for (ISO 8601). */
  createdAt: string;
  /** The form fields it was asked with, as given. */
  settings: DreamSettings;
  /** A zoom's length in frames, and their rate per second. */
  frames?: number;
  fps?: number;
  /** The dream whose result this one dreams again. */
  parent?: string;
  /** Place in the waiting line while queued: 1 is next. */
  position?: number;
  progress?: JobProgress;
  /** Why the dream failed. */
  error?: string;
  /** The public link to the result, while shared (the owner's view only). */
  shareUrl?: string;
}

export interface QueueOptions {
  /** Dreams running at the same time. */
  concurrency: number;
  /** Dreams allowed to wait; more are refused with 503. */
  maxQueued: number;
  /** Dreams one owner may have waiting or running; more are refused with 429. */
  maxQueuedPerOwner: number;
}

/** A dream as submitted: everything its row needs, and the photo's bytes. */
export interface NewDream {
  owner: string;
  name: string;
  width: number;
  height: number;
  spec: DreamJobSpec;
  settings: DreamSettings;
  parent?: string;
  photo: Uint8Array;
}

/** Why a new dream cannot be taken now, and the status that says so. */
export interface Refusal {
  status: 429 | 503;
  message: string;
}

interface RunningDream {
  abort: AbortController;
  progress?: JobProgress;
  preview?: Buffer;
  done: Promise<void>;
}

export const shareUrl = (token: string): string => `/s/${token}`;

export class DreamQueue {
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, RunningDream>();
  /** Lanes no running dream holds: as many dreams may start. */
  private readonly freeLanes: number[];
  private readonly listeners = new Map<string, Set<(view: DreamView) => void>>();
  /** Dreams being saved, per owner: they count against the limits before their row exists. */
  private readonly saving = new Map<string, number>();
  private closing = false;

  constructor(
    private readonly store: DreamStore,
    private readonly execute: DreamExecutor,
    private readonly options: QueueOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.freeLanes = Array.from({ length: options.concurrency }, (_, lane) => lane);
  }

  /** Takes up the dreams the store has in line, in order. */
  start(): void {
    this.waiting.push(...this.store.records.idsWithStatus('queued'));
    this.pump();
  }

  /** Why `owner` cannot submit a dream now; undefined when they can. Cheap: call it before reading the upload. */
  refusal(owner: string): Refusal | undefined {
    const waiting = this.waiting.length + [...this.saving.values()].reduce((sum, n) => sum + n, 0);
    if (waiting >= this.options.maxQueued) {
      return { status: 503, message: `the studio is busy (${waiting} dreams waiting); try again in a few minutes` };
    }
    const mine = this.store.records.activeCount(owner) + (this.saving.get(owner) ?? 0);
    const limit = this.options.maxQueuedPerOwner;
    if (mine >= limit) {
      return {
        status: 429,
        message: `you have ${mine} dreams waiting or running (limit ${limit}); wait for one to finish`,
      };
    }
    return undefined;
  }

  async submit(dream: NewDream): Promise<DreamView> {
    const refused = this.refusal(dream.owner);
    if (refused) throw new HttpError(refused.status, refused.message);
    const { owner, photo, ...fields } = dream;
    const id = randomUUID();
    this.saving.set(owner, (this.saving.get(owner) ?? 0) + 1);
    try {
      await this.store.create({ id, owner, photoBytes: photo.byteLength, createdAt: this.now(), ...fields }, photo);
    } finally {
      const left = this.saving.get(owner)! - 1;
      if (left === 0) this.saving.delete(owner);
      else this.saving.set(owner, left);
    }
    // A studio closing meanwhile keeps the dream in line for its next start.
    if (!this.closing) {
      this.waiting.push(id);
      this.pump();
    }
    return this.view(this.store.get(id)!, { owner: true });
  }

  /** The API's view of a dream; `owner`: the view its owner gets (with the share link). */
  view(record: DreamRecord, { owner }: { owner: boolean }): DreamView {
    const position = this.waiting.indexOf(record.id);
    const progress = this.running.get(record.id)?.progress;
    const { zoom } = record.spec;
    return {
      id: record.id,
      kind: dreamKind(record.spec),
      status: record.status,
      name: record.name,
      width: record.width,
      height: record.height,
      createdAt: new Date(record.createdAt).toISOString(),
      settings: record.settings,
      ...(zoom && { frames: zoom.frames, fps: zoom.fps }),
      ...(record.parent !== undefined && { parent: record.parent }),
      ...(position >= 0 && { position: position + 1 }),
      ...(record.status === 'running' && progress && { progress }),
      ...(record.error !== undefined && { error: record.error }),
      ...(owner && record.shareToken !== undefined && { shareUrl: shareUrl(record.shareToken) }),
    };
  }

  /** The latest intermediate image of a running dream. */
  preview(id: string): Buffer | undefined {
    return this.running.get(id)?.preview;
  }

  /** Stops a queued or running dream (it stays, cancelled); a finished one is deleted with its files. */
  async cancel(record: DreamRecord): Promise<DreamView> {
    const { id } = record;
    if (isFinished(record.status)) {
      await this.store.delete(id);
      return this.view(record, { owner: true });
    }
    this.store.records.finish(id, this.now(), { status: 'cancelled' });
    const position = this.waiting.indexOf(id);
    if (position >= 0) {
      this.waiting.splice(position, 1);
      await this.store.files.removeWork(id); // frames of a zoom begun before a restart
    }
    this.running.get(id)?.abort.abort(new Error('cancelled'));
    const view = this.view(this.store.get(id)!, { owner: true });
    this.notify(id);
    this.notifyWaiting();
    return view;
  }

  /** Calls `listener` on every change of the dream until it finishes; returns the unsubscribe. */
  subscribe(id: string, listener: (view: DreamView) => void): () => void {
    let listeners = this.listeners.get(id);
    if (!listeners) this.listeners.set(id, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(id) === listeners) this.listeners.delete(id);
    };
  }

  /**
   * Stops for a shutdown: nothing more starts, running dreams are aborted and put back in line
   * (they run again on the next start), and this resolves once their executors have returned.
   */
  async close(): Promise<void> {
    this.closing = true;
    const stopped = [...this.running].map(([id, run]) => {
      this.store.records.requeue(id);
      run.abort.abort(new ShuttingDown());
      return run.done;
    });
    await Promise.all(stopped);
  }

  private pump(): void {
    while (!this.closing && this.freeLanes.length > 0 && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const lane = this.freeLanes.shift()!;
      const run: RunningDream = { abort: new AbortController(), done: Promise.resolve() };
      this.running.set(id, run);
      run.done = this.run(id, lane, run).finally(() => {
        this.running.delete(id);
        this.freeLanes.push(lane);
        this.notify(id);
        // A dream put back in line keeps its work (a zoom's frames) to continue from.
        if (!(run.abort.signal.reason instanceof ShuttingDown))
          void this.store.files.removeWork(id).catch(() => undefined);
        if (this.closing) return;
        void this.store.applyRetention().catch(() => undefined); // tried again after the next dream
        this.pump();
      });
    }
    this.notifyWaiting();
  }

  private async run(id: string, lane: number, run: RunningDream): Promise<void> {
    const { signal } = run.abort;
    this.store.records.markRunning(id, this.now());
    this.notify(id);
    try {
      const record = this.store.get(id)!;
      const photo = await this.store.files.readUpload(id);
      signal.throwIfAborted();
      const result = await this.execute(
        { id, spec: record.spec, photo },
        {
          lane,
          signal,
          workDir: this.store.files.workPath(id),
          onProgress: (progress) => {
            run.progress = progress;
            this.notify(id);
          },
          onPreview: (preview) => {
            run.preview = preview;
          },
        },
      );
      signal.throwIfAborted();
      await this.store.complete(id, result);
    } catch (err) {
      // Aborted: cancelled (already recorded) or the studio is closing (put back in line).
      if (!signal.aborted) this.store.records.finish(id, this.now(), { status: 'failed', error: errorMessage(err) });
    }
  }

  private notify(id: string): void {
    const listeners = this.listeners.get(id);
    const record = listeners && this.store.get(id);
    if (!listeners || !record) return;
    const view = this.view(record, { owner: true });
    for (const listener of listeners) listener(view);
    if (isFinished(view.status)) this.listeners.delete(id);
  }

  /** Queue positions change for everyone behind a dream that starts or leaves. */
  private notifyWaiting(): void {
    for (const id of this.waiting) this.notify(id);
  }
}
