/**
 * The dream queue: jobs wait in order, at most `concurrency` run at once, and finished results
 * stay in memory for a while (a time limit and a count limit) so the page can fetch them.
 */
import { randomUUID } from 'node:crypto';
import type { DreamProgress } from '../../core/dream/options.js';
import { HttpError } from './errors.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** What the API reports about a job. */
export interface JobView {
  id: string;
  status: JobStatus;
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

/** Does the work of one job; rejects with the signal's reason when aborted. */
export type JobTask = (control: {
  onProgress: (progress: DreamProgress) => void;
  signal: AbortSignal;
  /** Which of the `concurrency` lanes runs it (0 to concurrency - 1): no two running jobs share one. */
  lane: number;
}) => Promise<Buffer>;

export interface QueueOptions {
  /** Dreams running at the same time. */
  concurrency: number;
  /** Jobs allowed to wait; more are refused with 503. */
  maxQueued: number;
  /** Finished jobs kept (the oldest go first). */
  maxResults: number;
  /** How long a finished job is kept, in milliseconds. */
  resultTtlMs: number;
}

interface Job {
  view: JobView;
  task?: JobTask;
  abort: AbortController;
  result?: Buffer;
  finishedAt?: number;
  listeners: Set<(view: JobView) => void>;
}

const FINISHED: ReadonlySet<JobStatus> = new Set(['done', 'failed', 'cancelled']);

export const isFinished = (status: JobStatus): boolean => FINISHED.has(status);

export class DreamQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  /** Lanes no running job holds: as many jobs may start. */
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

  submit(info: { name: string; width: number; height: number }, task: JobTask): JobView {
    this.sweep();
    if (this.waiting.length >= this.options.maxQueued) {
      throw new HttpError(
        503,
        `the studio is busy (${this.waiting.length} dreams waiting); try again in a few minutes`,
      );
    }
    const job: Job = {
      view: { id: randomUUID(), status: 'queued', ...info },
      task,
      abort: new AbortController(),
      listeners: new Set(),
    };
    this.jobs.set(job.view.id, job);
    this.waiting.push(job);
    this.pump();
    return this.get(job.view.id)!;
  }

  get(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const position = this.waiting.indexOf(job);
    return { ...job.view, ...(position >= 0 && { position: position + 1 }) };
  }

  /** The finished dream's bytes; undefined while it is not done. */
  result(id: string): Buffer | undefined {
    return this.jobs.get(id)?.result;
  }

  /** Stops a queued or running job; a finished one is forgotten. Returns its last view. */
  cancel(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (isFinished(job.view.status)) {
      this.jobs.delete(id);
      return job.view;
    }
    const position = this.waiting.indexOf(job);
    if (position >= 0) this.waiting.splice(position, 1);
    job.abort.abort(new Error('cancelled'));
    this.finish(job, { status: 'cancelled' });
    this.notifyWaiting();
    return job.view;
  }

  /** Calls `listener` on every change of the job until it finishes; returns the unsubscribe. */
  subscribe(id: string, listener: (view: JobView) => void): () => void {
    const listeners = this.jobs.get(id)?.listeners;
    listeners?.add(listener);
    return () => listeners?.delete(listener);
  }

  /** Cancels everything (server shutdown). */
  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.jobs.keys()]) {
      const job = this.jobs.get(id);
      if (job && !isFinished(job.view.status)) this.cancel(id);
    }
  }

  private pump(): void {
    while (this.freeLanes.length > 0 && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const lane = this.freeLanes.shift()!;
      void this.run(job, lane).finally(() => {
        this.freeLanes.push(lane);
        this.pump();
      });
    }
    this.notifyWaiting();
  }

  private async run(job: Job, lane: number): Promise<void> {
    const task = job.task!;
    job.task = undefined; // the task holds the photo's pixels: let them go once it finishes
    job.view.status = 'running';
    this.notify(job);
    try {
      const result = await task({
        lane,
        signal: job.abort.signal,
        onProgress: (progress) => {
          if (job.view.status !== 'running') return;
          job.view.progress = progress;
          this.notify(job);
        },
      });
      if (job.view.status === 'running') this.finish(job, { status: 'done' }, result);
    } catch (err) {
      if (job.view.status === 'running') {
        this.finish(job, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private finish(job: Job, outcome: Pick<JobView, 'status' | 'error'>, result?: Buffer): void {
    Object.assign(job.view, outcome);
    job.task = undefined;
    job.result = result;
    job.finishedAt = this.now();
    this.notify(job);
    job.listeners.clear();
    this.sweep();
  }

  private notify(job: Job): void {
    const view = this.get(job.view.id);
    if (view) for (const listener of job.listeners) listener(view);
  }

  /** Queue positions change for everyone behind a job that starts or leaves. */
  private notifyWaiting(): void {
    for (const job of this.waiting) this.notify(job);
  }

  private sweep(): void {
    const finished = [...this.jobs.values()].filter((j) => j.finishedAt !== undefined);
    const expired = this.now() - this.options.resultTtlMs;
    const excess = finished.length - this.options.maxResults;
    finished
      .sort((a, b) => a.finishedAt! - b.finishedAt!)
      .forEach((job, index) => {
        if (index < excess || job.finishedAt! <= expired) this.jobs.delete(job.view.id);
      });
  }
}
