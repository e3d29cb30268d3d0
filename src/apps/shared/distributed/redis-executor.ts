/**
 * The studio's side of the distributed queue: each dream becomes a BullMQ job that any
 * `deepdream worker` may take. The photo, the intermediate images and the result (PNG or MP4)
 * travel through Redis itself, which the studio and every worker already reach, so the machines
 * share no file system.
 */
import { Queue, QueueEvents } from 'bullmq';
import { ShuttingDown, type DreamExecutor, type DreamJobControl, type JobProgress } from '../dream-job.js';
import {
  CANCEL_CHANNEL,
  cancelledKey,
  DREAM_QUEUE,
  EXPIRY_SECONDS,
  photoKey,
  PREVIEW_CHANNEL,
  previewKey,
  resultKey,
  type DreamJobData,
  type DreamJobResult,
} from './protocol.js';
import { readPreview } from './previews.js';
import { checkRedisReachable, openRedis } from './redis.js';

export interface RemoteDreamExecutor {
  execute: DreamExecutor;
  /** Stops listening; dreams not finished reject, and their jobs stay in Redis for a later studio. */
  close(): Promise<void>;
}

interface Pending {
  onProgress: (progress: JobProgress) => void;
  onPreview: DreamJobControl['onPreview'];
  /** The previews being read, one at a time; the job resolves after them. */
  previews: Promise<void>;
  /** The `seq` of the preview handed on last. */
  previewSeq?: number;
  resolve: (result: Buffer) => void;
  reject: (err: unknown) => void;
}

/**
 * Connects to Redis at `url` (failing at once, in one line, when it cannot) and returns an
 * executor that queues each dream there. The job's id is the dream's id: running a dream again
 * (a restarted studio) finds its job, waiting, running or finished, instead of adding another.
 */
export async function redisDreamExecutor(
  url: string,
  log: (line: string) => void = () => undefined,
): Promise<RemoteDreamExecutor> {
  await checkRedisReachable(url);
  const commands = openRedis(url, log);
  const queue = new Queue<DreamJobData, DreamJobResult>(DREAM_QUEUE, { connection: commands });
  const listening = openRedis(url);
  const events = new QueueEvents(DREAM_QUEUE, { connection: listening });
  // Connection problems are reported once by openRedis; BullMQ repeats them as 'error' events.
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const announcements = openRedis(url);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), announcements.subscribe(PREVIEW_CHANNEL)]);

  const pending = new Map<string, Pending>();
  const fail = (id: string, err: unknown): void => {
    const entry = pending.get(id);
    pending.delete(id);
    entry?.reject(err);
  };
  /** Cancellations still talking to Redis: close() lets them finish. */
  const cancelling = new Set<Promise<unknown>>();

  /**
   * Hands the dream's latest preview to it unless it had it already. A preview that cannot be
   * read is skipped: the next one, or the result, follows.
   */
  function showPreview(id: string): Promise<void> {
    const entry = pending.get(id);
    if (!entry?.onPreview) return Promise.resolve();
    entry.previews = entry.previews
      .then(async () => {
        const preview = await readPreview(commands, id);
        if (!preview || preview.seq === entry.previewSeq || pending.get(id) !== entry) return;
        entry.previewSeq = preview.seq;
        entry.onPreview!(preview.png, preview.index);
      })
      .catch(() => undefined);
    return entry.previews;
  }

  /** Hands a finished job's outcome to its dream and removes what it left in Redis. */
  async function settle(id: string): Promise<void> {
    const entry = pending.get(id);
    if (!entry) return;
    const job = await queue.getJob(id);
    const state = job ? await job.getState() : 'unknown';
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return; // its events will come
    // The last preview was stored before the job completed, but its announcement may come later.
    if (state === 'completed') await showPreview(id);
    if (pending.get(id) !== entry) return; // settled meanwhile by another event
    pending.delete(id);
    if (state === 'completed') {
      const result = await commands.getBuffer(resultKey(id));
      if (result) entry.resolve(result);
      else entry.reject(new Error('the dream finished but its result is gone from Redis'));
    } else {
      entry.reject(new Error(job?.failedReason || "the dream's job is gone from Redis"));
    }
    await Promise.all([commands.del(photoKey(id), previewKey(id), resultKey(id)), job?.remove()]);
  }

  /** A waiting job is removed; a running one is told to stop by its worker, wherever it runs. */
  async function cancel(id: string): Promise<void> {
    await commands.set(cancelledKey(id), '1', 'EX', EXPIRY_SECONDS.cancelled);
    if ((await queue.remove(id)) === 0) await commands.publish(CANCEL_CHANNEL, id);
    await commands.del(photoKey(id), previewKey(id), resultKey(id));
  }

  const keep = { age: EXPIRY_SECONDS.job };
  const execute: DreamExecutor = ({ id, spec, photo }, { onProgress, onPreview, signal }) =>
    new Promise<Buffer>((resolve, reject) => {
      signal.throwIfAborted();
      const onAbort = () => {
        pending.delete(id);
        reject(signal.reason);
        // A studio shutting down leaves the job in Redis: its next start waits for it again.
        if (signal.reason instanceof ShuttingDown) return;
        const done = cancel(id)
          .catch((err: unknown) => log(`could not cancel dream ${id} in Redis: ${String(err)}`))
          .finally(() => cancelling.delete(done));
        cancelling.add(done);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settled =
        <T>(then: (value: T) => void) =>
        (value: T) => {
          signal.removeEventListener('abort', onAbort);
          then(value);
        };
      pending.set(id, {
        onProgress,
        onPreview,
        previews: Promise.resolve(),
        resolve: settled(resolve),
        reject: settled(reject),
      });
      const photoBytes = Buffer.from(photo.buffer, photo.byteOffset, photo.byteLength);
      commands
        .set(photoKey(id), photoBytes, 'EX', EXPIRY_SECONDS.photo)
        .then(async () => {
          // Cancelled while the photo was on its way: add no job that nobody waits for.
          if (signal.aborted) return;
          await queue.add(
            'dream',
            { spec, photoKey: photoKey(id) },
            { jobId: id, removeOnComplete: keep, removeOnFail: keep },
          );
          // A job found finished (added before a restart) sends no more events: look now.
          await settle(id);
          // A job found running shows its latest preview before the next one is announced.
          await showPreview(id);
        })
        .catch((err: unknown) => fail(id, err));
    });

  const finished = ({ jobId }: { jobId: string }) => void settle(jobId).catch((err: unknown) => fail(jobId, err));
  events.on('progress', ({ jobId, data }) => pending.get(jobId)?.onProgress(data as JobProgress));
  events.on('completed', finished);
  events.on('failed', finished);
  announcements.on('message', (_channel: string, id: string) => void showPreview(id));

  return {
    execute,
    async close() {
      await Promise.all(cancelling);
      for (const id of [...pending.keys()]) fail(id, new Error('the studio is closing'));
      await events.close();
      await queue.close();
      announcements.disconnect();
      listening.disconnect();
      commands.disconnect();
    },
  };
}
