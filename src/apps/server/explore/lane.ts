/**
 * The explore page's background lane: its work (thumbnails, layer strips, explanations) runs
 * here one job at a time, so it takes at most one more share of the CPU beside the dreams. The
 * newest job goes first: the page asks for what it shows now, and what it showed a moment ago
 * matters less. Jobs have keys: asking for work already waiting or running joins it. A job whose
 * askers all left (their signals aborted) is dropped while it waits, and told to stop (its signal
 * aborted) while it runs.
 */

export type LaneWork<T> = (signal: AbortSignal) => Promise<T>;

interface Job {
  key: string;
  /** Higher runs first: the order jobs were created in. */
  order: number;
  work: LaneWork<unknown>;
  askers: Set<Asker>;
  controller: AbortController;
}

interface Asker {
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export class BackgroundLane {
  private readonly waiting = new Map<string, Job>();
  private running: Job | undefined;
  private created = 0;
  private closed = false;

  /**
   * The result of `work` for `key`: run once however many ask while it waits or runs. Aborting
   * `signal` rejects this call with its reason; the job goes on while someone else asks.
   */
  run<T>(key: string, work: LaneWork<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the server is closing'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    let job = this.running?.key === key ? this.running : this.waiting.get(key);
    if (!job) {
      job = { key, order: this.created++, work, askers: new Set(), controller: new AbortController() };
      this.waiting.set(key, job);
    }
    const found = job;
    return new Promise<T>((resolve, reject) => {
      const asker: Asker = { resolve: resolve as (value: unknown) => void, reject };
      found.askers.add(asker);
      signal?.addEventListener(
        'abort',
        () => {
          if (!found.askers.delete(asker)) return;
          reject(signal.reason);
          if (found.askers.size === 0) this.abandon(found);
        },
        { once: true },
      );
      this.next();
    });
  }

  /** Where `key`'s job stands: 0 running, 1 next, 2 after that...; undefined when there is none. */
  position(key: string): number | undefined {
    if (this.running?.key === key) return 0;
    const job = this.waiting.get(key);
    if (!job) return undefined;
    return 1 + [...this.waiting.values()].filter((other) => other.order > job.order).length;
  }

  /** Drops every waiting job and stops the running one; later calls are refused. */
  close(): void {
    this.closed = true;
    const reason = new Error('the server is closing');
    for (const job of [...this.waiting.values(), ...(this.running ? [this.running] : [])]) {
      this.waiting.delete(job.key);
      job.controller.abort(reason);
      for (const asker of job.askers) asker.reject(reason);
      job.askers.clear();
    }
  }

  private abandon(job: Job): void {
    if (this.waiting.get(job.key) === job) this.waiting.delete(job.key);
    else job.controller.abort(new Error('nobody waits for it any more'));
  }

  private next(): void {
    if (this.running || this.waiting.size === 0) return;
    const job = [...this.waiting.values()].reduce((a, b) => (b.order > a.order ? b : a));
    this.waiting.delete(job.key);
    this.running = job;
    void Promise.resolve()
      .then(() => job.work(job.controller.signal))
      .then(
        (value) => job.askers.forEach((asker) => asker.resolve(value)),
        (error: unknown) => job.askers.forEach((asker) => asker.reject(error)),
      )
      .finally(() => {
        this.running = undefined;
        this.next();
      });
  }
}
