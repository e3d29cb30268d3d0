/**
 * The dream worker (`deepdream worker`): takes the studio's dreams from the BullMQ queue in Redis
 * and runs them in this process's dream threads, one lane per dream it runs at once. Any number
 * of workers, on any machines that reach the Redis, share the queue.
 */
import { rm } from 'node:fs/promises';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { runDreamJob } from '../shared/dream-job.js';
import {
  CANCEL_CHANNEL,
  CANCELLED,
  cancelledKey,
  DREAM_QUEUE,
  EXPIRY_SECONDS,
  previewKey,
  resultKey,
  WORKER_LOCKS,
  type DreamJobData,
  type DreamJobResult,
} from '../shared/distributed/protocol.js';
import { publishPreview } from '../shared/distributed/previews.js';
import { checkRedisReachable, openRedis, shownUrl } from '../shared/distributed/redis.js';
import type { DreamWorkerSettings } from '../shared/distributed/worker-settings.js';
import { errorMessage, oneLine } from '../shared/errors.js';
import { removeStaleWork, workFolder } from './work-folders.js';

export interface RunningDreamWorker {
  /** Stops taking dreams, puts the running ones back in line for another worker, and disconnects. */
  close(): Promise<void>;
}

const SHUTDOWN = 'the worker is stopping';

const removeWork = (folder: string | undefined): Promise<void> =>
  folder ? rm(folder, { recursive: true, force: true }) : Promise.resolve();

/** Checks that Redis answers (one-line error otherwise), then starts taking dreams. */
export async function startDreamWorker(settings: DreamWorkerSettings): Promise<RunningDreamWorker> {
  const { redis: url, concurrency, log } = settings;
  await checkRedisReachable(url);
  const deps = {
    ...(settings.backendModule !== undefined && { backendModule: settings.backendModule }),
    ...(settings.threads !== undefined && { threads: settings.threads }),
    ...(settings.device !== undefined && { device: settings.device }),
  };
  await removeStaleWork();
  const commands = openRedis(url, log);
  const freeLanes = Array.from({ length: concurrency }, (_, lane) => lane);

  async function processor(job: Job<DreamJobData, DreamJobResult>, token?: string, signal?: AbortSignal) {
    const id = job.id!;
    if (await commands.exists(cancelledKey(id))) throw new UnrecoverableError(CANCELLED);
    const photo = await commands.getBuffer(job.data.photoKey);
    if (!photo) throw new UnrecoverableError('the photo of this dream is gone from Redis');
    const lane = freeLanes.shift()!;
    const started = Date.now();
    const workDir = workFolder(id);
    log(`dream ${id}: started on lane ${lane}`);
    // Previews are advisory too: one at a time, in order, and a failed one is skipped.
    let previewsStored = Promise.resolve();
    const onPreview = (png: Buffer, index: number) => {
      previewsStored = previewsStored.then(() => publishPreview(commands, id, png, index)).catch(() => undefined);
    };
    try {
      const result = await runDreamJob(
        job.data.spec,
        photo,
        {
          lane,
          signal: signal!,
          // Progress is advisory: a lost update is not worth failing the dream.
          onProgress: (progress) => void job.updateProgress(progress).catch(() => undefined),
          onPreview,
          ...(workDir && { workDir }),
        },
        deps,
      );
      // Every preview reaches Redis before the job completes, as runDreamJob hands them on before it resolves.
      await previewsStored;
      await commands.set(resultKey(id), result, 'EX', EXPIRY_SECONDS.result);
      await removeWork(workDir);
      log(`dream ${id}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { resultKey: resultKey(id), bytes: result.byteLength };
    } catch (err) {
      if (signal?.reason === SHUTDOWN) {
        // Back in line at once for another worker (or this one, restarted): nothing is lost.
        // Should that fail, the lock this closing worker no longer renews runs out, and the
        // stalled check of another worker puts the job back in line all the same.
        // A zoom's frames stay for the worker that takes it up.
        await job.moveToWait(token).catch(() => undefined);
        log(`dream ${id}: put back in line`);
        throw new WaitingError();
      }
      await removeWork(workDir);
      // The studio takes no preview of a dream that ends here: remove any it may have missed.
      await previewsStored;
      await commands.del(previewKey(id)).catch(() => undefined);
      const reason = signal?.aborted ? CANCELLED : oneLine(errorMessage(err));
      log(`dream ${id}: ${reason}`);
      // A dream that failed fails the same way again: only a dead worker's dream is retried.
      throw new UnrecoverableError(reason);
    } finally {
      freeLanes.push(lane);
    }
  }

  const working = openRedis(url);
  const worker = new Worker<DreamJobData, DreamJobResult>(DREAM_QUEUE, processor, {
    connection: working,
    concurrency,
    ...WORKER_LOCKS,
    autorun: false,
  });
  worker.on('error', () => undefined); // outages are reported once by openRedis
  const subscriber = openRedis(url);
  subscriber.on('message', (_channel: string, id: string) => worker.cancelJob(id, CANCELLED));
  await subscriber.subscribe(CANCEL_CHANNEL);
  void worker.run();
  await worker.waitUntilReady();
  log(`Dream worker taking dreams from ${shownUrl(url)}, ${concurrency} at a time (press Ctrl+C to stop)`);

  return {
    async close() {
      const closed = worker.close();
      worker.cancelAllJobs(SHUTDOWN);
      await closed;
      for (const connection of [subscriber, working, commands]) connection.disconnect();
    },
  };
}
