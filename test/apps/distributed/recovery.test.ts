/**
 * The distributed queue when things go wrong, on a real redis-server with real worker processes:
 * a worker killed mid-dream, a worker stopped, dreams cancelled while waiting and while running,
 * a studio that goes away and comes back.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { resolveDreamOptions } from '../../../src/core/dream/options.js';
import type { DreamJobSpec } from '../../../src/apps/shared/dream-job.js';
import { cancelledKey } from '../../../src/apps/shared/distributed/protocol.js';
import { redisDreamExecutor, type RemoteDreamExecutor } from '../../../src/apps/shared/distributed/redis-executor.js';
import { photoPng, postDream, testServer, waitForDream } from '../server/helpers.js';
import { startRedis, withoutRedis, type RedisServer } from '../../support/redis.js';
import { inRedis, startWorker, type RunningCommand } from './helpers.js';

/** Each tile step of the fake network takes 100 ms: a dream of 40 steps runs for about 4 s. */
const SLOW = 'kind=grid&delayMs=100';
const TIMEOUT = { timeout: 120_000 };

describe('the distributed queue', { concurrency: false, skip: withoutRedis() }, () => {
  let redis: RedisServer;
  let remote: RemoteDreamExecutor;
  let app: FastifyInstance;
  let png: Buffer;
  const workers: RunningCommand[] = [];
  /** The workers' temporary folder, where a running zoom keeps its frames. */
  const workerTmp = mkdtempSync(join(tmpdir(), 'workers-tmp-'));

  before(async () => {
    redis = await startRedis();
    remote = await redisDreamExecutor(redis.url);
    app = await testServer({ executor: remote.execute, concurrency: 4 });
    png = await photoPng();
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await app?.close();
    await remote?.close();
    await redis?.stop();
    await rm(workerTmp, { recursive: true, force: true });
  });

  async function worker(query = SLOW): Promise<RunningCommand> {
    const started = await startWorker(redis.url, query, [], { TMPDIR: workerTmp });
    workers.push(started);
    return started;
  }

  async function submit(steps: number): Promise<string> {
    const posted = await postDream(app, { steps: String(steps) }, [{ name: 'p.png', bytes: png }]);
    assert.equal(posted.statusCode, 202, posted.body);
    return posted.json<{ id: string }>().id;
  }

  /** A dream of `steps` steps of the 48x32 test photo, as the studio would queue it. */
  const spec = (steps: number): DreamJobSpec => ({
    name: 'p.png',
    maxSize: 1024,
    maxPixels: 1_000_000,
    options: resolveDreamOptions({ steps }, { width: 48, height: 32 }),
  });
  /** A dream of a 768x512 photo in 3 scales of 4 steps: 2 previews. */
  const threeScales = (): DreamJobSpec => {
    const options = resolveDreamOptions({ steps: 4 }, { width: 768, height: 512 });
    assert.equal(options.octaves, 3);
    return { ...spec(4), options };
  };
  const control = () => ({ onProgress: () => undefined, signal: new AbortController().signal, lane: 0 });

  const started = (id: string) => new RegExp(`dream ${id}: started`);
  const takenBy = async (candidates: RunningCommand[], id: string): Promise<RunningCommand> => {
    await Promise.any(candidates.map((w) => w.waitFor(started(id))));
    return candidates.find((w) => started(id).test(w.stderr()))!;
  };

  test('a worker killed with SIGKILL mid-dream: another worker dreams it again, nothing is lost', TIMEOUT, async () => {
    const pair = [await worker(), await worker()];
    const id = await submit(40);
    const victim = await takenBy(pair, id);
    const survivor = pair.find((w) => w !== victim)!;
    assert.equal(await victim.stop('SIGKILL'), 'SIGKILL');

    assert.equal((await waitForDream(app, id)).status, 'done');
    assert.match(survivor.stderr(), started(id));
    assert.match(survivor.stderr(), new RegExp(`dream ${id}: done`));
    assert.equal((await app.inject({ url: `/api/dreams/${id}/result` })).statusCode, 200);
    assert.deepEqual(await inRedis(redis.url, id), { keys: [] });
    assert.equal(await survivor.stop(), 0);
  });

  test(
    'a zoom whose worker is killed after a frame is continued by another worker of the machine and ends with its MP4',
    TIMEOUT,
    async () => {
      const pair = [await worker(), await worker()];
      const posted = await postDream(app, { kind: 'zoom', frames: '8', size: '64', steps: '2' }, [
        { name: 'p.png', bytes: await photoPng(160, 80) },
      ]);
      assert.equal(posted.statusCode, 202, posted.body);
      const { id } = posted.json<{ id: string }>();
      const victim = await takenBy(pair, id);
      const survivor = pair.find((w) => w !== victim)!;
      for (;;) {
        const { progress } = (await app.inject({ url: `/api/dreams/${id}` })).json<{ progress?: { frame?: number } }>();
        if ((progress?.frame ?? 0) >= 1) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal(await victim.stop('SIGKILL'), 'SIGKILL');

      // The survivor runs on the same machine: it continues from the frames the victim left.
      for (;;) {
        const view = (await app.inject({ url: `/api/dreams/${id}` })).json<{
          status: string;
          progress?: { resumed?: number };
        }>();
        if ((view.progress?.resumed ?? 0) >= 1) break;
        assert.ok(['queued', 'running'].includes(view.status), `ended before it was continued: ${view.status}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal((await waitForDream(app, id)).status, 'done');
      assert.match(survivor.stderr(), started(id));
      assert.match(survivor.stderr(), new RegExp(`dream ${id}: done`));
      const result = await app.inject({ url: `/api/dreams/${id}/result` });
      assert.equal(result.statusCode, 200);
      assert.equal(result.headers['content-type'], 'video/mp4');
      assert.equal(result.rawPayload.subarray(4, 8).toString('latin1'), 'ftyp');
      assert.deepEqual(await inRedis(redis.url, id), { keys: [] });
      assert.equal(existsSync(join(workerTmp, 'inceptionism-worker', id)), false, 'its frames are gone once done');
      assert.equal(await survivor.stop(), 0);
    },
  );

  test('a worker stopped with SIGTERM mid-dream puts it back in line at once and exits 0', TIMEOUT, async () => {
    const pair = [await worker(), await worker()];
    const id = await submit(40);
    const stopped = await takenBy(pair, id);
    const other = pair.find((w) => w !== stopped)!;
    assert.equal(await stopped.stop('SIGTERM'), 0);
    assert.match(stopped.stderr(), new RegExp(`dream ${id}: put back in line\n$`));
    assert.equal((await waitForDream(app, id)).status, 'done');
    assert.match(other.stderr(), new RegExp(`dream ${id}: done`));
    assert.equal(await other.stop(), 0);
  });

  test('cancelling a waiting dream removes its job; cancelling a running one stops its worker', TIMEOUT, async () => {
    const only = await worker();
    const running = await submit(60);
    await only.waitFor(started(running));
    const waiting = await submit(60);
    await waitForState(waiting, 'waiting');

    const cancelled = await app.inject({ method: 'DELETE', url: `/api/dreams/${waiting}` });
    assert.equal(cancelled.json<{ status: string }>().status, 'cancelled');
    assert.deepEqual(await inRedis(redis.url, waiting), { keys: [cancelledKey(waiting)] });

    const stopping = await app.inject({ method: 'DELETE', url: `/api/dreams/${running}` });
    assert.equal(stopping.json<{ status: string }>().status, 'cancelled');
    await only.waitFor(new RegExp(`dream ${running}: cancelled\n`));
    await waitForState(running, 'failed');
    assert.deepEqual((await inRedis(redis.url, running)).keys, [cancelledKey(running)]);

    // The worker took neither again, and its lane is free for the next dream.
    const next = await submit(1);
    assert.equal((await waitForDream(app, next)).status, 'done');
    assert.equal(only.stderr().match(started(running))?.length, 1);
    assert.doesNotMatch(only.stderr(), started(waiting));
    assert.equal(await only.stop(), 0);
  });

  test('a studio that goes away and comes back finds its dream by id instead of adding it again', TIMEOUT, async () => {
    const only = await worker();
    const job = { id: 'restarted-studio-dream', spec: spec(30), photo: png };

    const first = await redisDreamExecutor(redis.url);
    const progress: number[] = [];
    const lost = assert.rejects(first.execute(job, { ...control(), onProgress: (p) => progress.push(p.fraction) }), {
      message: 'the studio is closing',
    });
    await only.waitFor(started(job.id));
    while (progress.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    await first.close();
    await lost;
    assert.ok(
      progress.every((f) => f > 0 && f < 1),
      String(progress),
    );

    // The dream finishes while no studio listens; the next studio asks for the same id and gets its PNG.
    await only.waitFor(new RegExp(`dream ${job.id}: done`));
    const second = await redisDreamExecutor(redis.url);
    const dreamed = await second.execute(job, control());
    await second.close();
    assert.deepEqual(dreamed.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    assert.equal(only.stderr().match(new RegExp(started(job.id).source, 'g'))?.length, 1);
    assert.deepEqual(await inRedis(redis.url, job.id), { keys: [] });
    assert.equal(await only.stop(), 0);
  });

  test(
    'a durable studio stopped mid-dream leaves the job in Redis; restarted on its folder, it gets the dream',
    TIMEOUT,
    async () => {
      const only = await worker();
      const dataDir = mkdtempSync(join(tmpdir(), 'studio-redis-'));
      const first = await redisDreamExecutor(redis.url);
      const before = await testServer({ executor: first.execute, dataDir });
      const posted = await postDream(before, { steps: '30' }, [{ name: 'p.png', bytes: png }]);
      const { id } = posted.json<{ id: string }>();
      await only.waitFor(started(id));
      await before.close();
      await first.close();
      assert.equal((await inRedis(redis.url, id)).state, 'active', 'a shutdown is no cancel');

      const second = await redisDreamExecutor(redis.url);
      const after = await testServer({ executor: second.execute, dataDir });
      try {
        assert.equal((await waitForDream(after, id)).status, 'done');
        assert.equal((await after.inject({ url: `/api/dreams/${id}/result` })).statusCode, 200);
        assert.equal(only.stderr().match(new RegExp(started(id).source, 'g'))?.length, 1);
      } finally {
        await after.close();
        await second.close();
        await rm(dataDir, { recursive: true, force: true });
      }
      assert.equal(await only.stop(), 0);
    },
  );

  test(
    'previews arrive in order before the result; a studio that comes back is shown the latest at once',
    TIMEOUT,
    async () => {
      const only = await worker();
      const photo = await photoPng(768, 512);
      const job = {
        id: 'previewed-dream',
        spec: { ...spec(4), options: resolveDreamOptions({ steps: 4 }, { width: 768, height: 512 }) },
        photo,
      };
      assert.equal(job.spec.options.octaves, 3);
      const first = await redisDreamExecutor(redis.url);
      const seenFirst: number[] = [];
      const lost = assert.rejects(first.execute(job, { ...control(), onPreview: (_, index) => seenFirst.push(index) }));
      while (seenFirst.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
      await first.close();
      await lost;
      assert.deepEqual(seenFirst, [1]);

      const second = await redisDreamExecutor(redis.url);
      const seen: Array<{ index: number; width?: number }> = [];
      const dreamed = await second.execute(job, {
        ...control(),
        onPreview: (png, index) => seen.push({ index, width: readPngWidth(png) }),
      });
      await second.close();
      // The preview of scale 1 comes at once, from Redis; scale 2's when the worker stores it.
      assert.deepEqual(seen, [
        { index: 1, width: 512 },
        { index: 2, width: 512 },
      ]);
      assert.equal(readPngWidth(dreamed), 768);
      assert.deepEqual(await inRedis(redis.url, job.id), { keys: [] });
      assert.equal(await only.stop(), 0);
    },
  );

  test('a dream cancelled after its first preview leaves only its cancelled mark in Redis', TIMEOUT, async () => {
    const only = await worker();
    const job = { id: 'cancelled-previewed-dream', spec: threeScales(), photo: await photoPng(768, 512) };
    const abort = new AbortController();
    let previews = 0;
    const cancelled = assert.rejects(
      remote.execute(job, { ...control(), signal: abort.signal, onPreview: () => previews++ }),
      { message: 'cancelled' },
    );
    while (previews === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    abort.abort(new Error('cancelled'));
    await cancelled;
    await only.waitFor(new RegExp(`dream ${job.id}: cancelled\n`));
    await waitForState(job.id, 'failed');
    assert.deepEqual((await inRedis(redis.url, job.id)).keys, [cancelledKey(job.id)]);
    assert.equal(await only.stop(), 0);
  });

  test("a dream that fails on the worker fails once, with the worker's one-line error", TIMEOUT, async () => {
    const only = await worker('kind=grid');
    const job = {
      id: 'failing-dream',
      spec: { ...spec(1), options: { ...spec(1).options, layers: [{ name: 'missing', weight: 1 }] } },
      photo: png,
    };
    await assert.rejects(remote.execute(job, control()), { message: "unknown layer 'missing'" });
    assert.equal(only.stderr().match(new RegExp(started(job.id).source, 'g'))?.length, 1);
    assert.match(only.stderr(), /dream failing-dream: unknown layer 'missing'\n/);
    assert.deepEqual(await inRedis(redis.url, job.id), { keys: [] });
    assert.equal(await only.stop(), 0);
  });

  test('a worker with --concurrency 2 runs two dreams at once, each in a lane of its own', TIMEOUT, async () => {
    const both = await startWorker(redis.url, SLOW, ['--concurrency', '2']);
    workers.push(both);
    const ids = [await submit(20), await submit(20)];
    await both.waitFor(/started on lane 0[^]*started on lane 1|started on lane 1[^]*started on lane 0/);
    assert.doesNotMatch(both.stderr(), /: done/, 'both started before either finished');
    for (const id of ids) assert.equal((await waitForDream(app, id)).status, 'done');
    assert.match(both.stderr(), /2 at a time/);
    assert.equal(await both.stop(), 0);
  });

  /** The width in a PNG's header. */
  const readPngWidth = (png: Buffer): number => png.readUInt32BE(16);

  async function waitForState(id: string, state: string): Promise<void> {
    while ((await inRedis(redis.url, id)).state !== state) await new Promise((resolve) => setTimeout(resolve, 25));
  }
});
