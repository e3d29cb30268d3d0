/**
 * `npm run bench:studio`: the studio as a service under load, on loopback only, every loop bounded
 * in count and time. Starts its own redis-server and `deepdream serve --redis` / `deepdream worker`
 * processes, and prints the figures the README quotes:
 * - a burst of 50 simultaneous uploads: accepted, refused with 503, lost (must be 0);
 * - throughput in dreams per minute with 1 and 2 worker processes at --threads 1 (real engine);
 * - `kill -9` of one of 2 workers during a dream: lost (must be 0) and how soon another took it;
 * - the studio's RSS idle and after 100 uploads;
 * - `kill -9` of the studio (no Redis: its data folder) with 5 dreams queued, then a restart: lost
 *   (must be 0).
 * Every request comes from one browser (one owner cookie), so the per-client limits are raised:
 * the figures are the studio's own line and upload slots, not those limits.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { fakeBackendModule, multipart, photoPng, TEST_OWNER } from '../test/apps/server/helpers.js';
import { startCommand, startWorker, type RunningCommand } from '../test/apps/distributed/helpers.js';
import { startRedis } from '../test/support/redis.js';

/** The real-engine dreams: small photos and few steps, so the whole run takes a few minutes. */
const REAL = { photo: { width: 256, height: 192 }, fields: { steps: '4', size: '256', seed: '1' }, dreams: 12 };
const BURST = 50;
const UPLOADS = 100;
/** No wait in this script lasts longer. */
const WAIT_LIMIT_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Studio {
  base: string;
  process: RunningCommand;
}

/** One browser: its owner cookie on every request. */
const COOKIE = { cookie: `studio_owner=${TEST_OWNER.studio_owner}` };
const UNLIMITED_CLIENT = [
  '--dreams-per-minute',
  '100000',
  '--requests-per-minute',
  '1000000',
  '--max-queued-per-owner',
  '1000',
];
const dataDirs: string[] = [];

/** `deepdream serve` on a fresh data folder: with `redisUrl`, through the workers; else here, with `args`. */
async function startStudio(redisUrl: string | undefined, args: string[] = [], dataDir?: string): Promise<Studio> {
  const data = dataDir ?? mkdtempSync(join(tmpdir(), 'studio-load-'));
  if (dataDir === undefined) dataDirs.push(data);
  const where = redisUrl === undefined ? args : ['--redis', redisUrl];
  const process = startCommand(['serve', '--port', '0', '--data', data, ...UNLIMITED_CLIENT, ...where]);
  const base = (await process.waitFor(/running at (http:\S+)/))[1]!;
  return { base, process };
}

const view = async (studio: Studio, id: string) =>
  (await (await fetch(`${studio.base}/api/dreams/${id}`, { headers: COOKIE })).json()) as { status: string };

async function post(studio: Studio, photo: Buffer, fields: Record<string, string>): Promise<Response> {
  const body = await multipart(fields, [{ name: 'photo.png', bytes: photo }]);
  return fetch(`${studio.base}/api/dreams`, {
    method: 'POST',
    body: new Uint8Array(body.payload),
    headers: { ...body.headers, ...COOKIE },
  });
}

/** Waits until every dream has finished; returns how many of them are done. */
async function finished(studio: Studio, ids: string[]): Promise<number> {
  const started = Date.now();
  let done = 0;
  for (const id of ids) {
    for (;;) {
      const { status } = await view(studio, id);
      if (status === 'done') done++;
      if (!['queued', 'running'].includes(status)) break;
      if (Date.now() - started > WAIT_LIMIT_MS) return done;
      await sleep(100);
    }
  }
  return done;
}

async function submitAll(studio: Studio, photo: Buffer, fields: Record<string, string>, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await post(studio, photo, fields);
    if (response.status !== 202)
      throw new Error(`upload ${i + 1} answered ${response.status}: ${await response.text()}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function burst(redisUrl: string): Promise<void> {
  const studio = await startStudio(redisUrl);
  const workers = [await startWorker(redisUrl), await startWorker(redisUrl)];
  try {
    const photo = await photoPng();
    const responses = await Promise.all(Array.from({ length: BURST }, () => post(studio, photo, { steps: '2' })));
    const accepted = responses.filter((r) => r.status === 202);
    const refused = responses.filter((r) => r.status === 503).length;
    const other = responses.map((r) => r.status).filter((status) => status !== 202 && status !== 503);
    const ids = await Promise.all(accepted.map(async (r) => ((await r.json()) as { id: string }).id));
    const done = await finished(studio, ids);
    console.log(
      `burst of ${BURST} uploads (2 workers, fake network): accepted ${accepted.length}, refused with 503 ${refused}, ` +
        `other ${other.length}${other.length > 0 ? ` (${[...new Set(other)].join(', ')})` : ''}, lost ${accepted.length - done}`,
    );
  } finally {
    await Promise.all([studio.process, ...workers].map((p) => p.stop()));
  }
}

async function realWorkers(redisUrl: string, count: number): Promise<RunningCommand[]> {
  const workers = Array.from({ length: count }, () => startCommand(['worker', '--redis', redisUrl, '--threads', '1']));
  await Promise.all(workers.map((w) => w.waitFor(/Dream worker taking dreams/)));
  return workers;
}

async function throughput(redisUrl: string, workerCount: number): Promise<void> {
  const studio = await startStudio(redisUrl);
  const workers = await realWorkers(redisUrl, workerCount);
  try {
    const photo = await photoPng(REAL.photo.width, REAL.photo.height);
    // One dream per worker first: loading the model and compiling are not throughput.
    await finished(studio, await submitAll(studio, photo, REAL.fields, workerCount));
    const started = performance.now();
    const done = await finished(studio, await submitAll(studio, photo, REAL.fields, REAL.dreams));
    const minutes = (performance.now() - started) / 60_000;
    console.log(
      `throughput, ${workerCount} worker${workerCount > 1 ? 's' : ''} at --threads 1: ` +
        `${(done / minutes).toFixed(1)} dreams/min (${done} of ${REAL.dreams} in ${(minutes * 60).toFixed(1)} s)`,
    );
  } finally {
    await Promise.all([studio.process, ...workers].map((p) => p.stop()));
  }
}

async function workerKilled(redisUrl: string): Promise<void> {
  const studio = await startStudio(redisUrl);
  const workers = await realWorkers(redisUrl, 2);
  try {
    const photo = await photoPng(REAL.photo.width, REAL.photo.height);
    const ids = await submitAll(studio, photo, REAL.fields, 4);
    const [victim, survivor] = await Promise.race(
      workers.map(async (w, i) => {
        await w.waitFor(/: started on lane/, WAIT_LIMIT_MS);
        return [w, workers[1 - i]!] as const;
      }),
    );
    const id = /dream (\S+): started on lane/.exec(victim.stderr())![1]!;
    await victim.stop('SIGKILL');
    const killedAt = performance.now();
    await survivor.waitFor(new RegExp(`dream ${id}: started`), WAIT_LIMIT_MS);
    const takeover = (performance.now() - killedAt) / 1000;
    const done = await finished(studio, ids);
    console.log(
      `kill -9 of 1 of 2 workers during a dream: lost ${ids.length - done} of ${ids.length}; ` +
        `its dream started again on the other worker after ${takeover.toFixed(1)} s`,
    );
  } finally {
    await Promise.all([studio.process, ...workers].map((p) => p.stop('SIGKILL')));
  }
}

async function memory(redisUrl: string): Promise<void> {
  const studio = await startStudio(redisUrl);
  const workers = [await startWorker(redisUrl), await startWorker(redisUrl)];
  try {
    const pid = studio.process.child.pid!;
    // Noise, so the PNG is as large as a photo's (2.3 MB); dreamed small, so the workers keep up.
    const photo = await sharp(randomBytes(1024 * 768 * 3), { raw: { width: 1024, height: 768, channels: 3 } })
      .png()
      .toBuffer();
    const fields = { steps: '1', size: '256' };
    await finished(studio, await submitAll(studio, photo, fields, 1));
    const idle = rssMb(pid);
    let peak = idle;
    // In rounds the queue accepts (8 handed to the workers, 10 waiting).
    for (let sent = 0; sent < UPLOADS; sent += 10) {
      await finished(studio, await submitAll(studio, photo, fields, Math.min(10, UPLOADS - sent)));
      peak = Math.max(peak, rssMb(pid));
    }
    await sleep(5000);
    console.log(
      `studio RSS (serve --redis), ${UPLOADS} uploads of a ${photo.length >> 10} KB PNG: ` +
        `idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, after ${rssMb(pid).toFixed(0)} MB`,
    );
  } finally {
    await Promise.all([studio.process, ...workers].map((p) => p.stop()));
  }
}

/** `kill -9` of the studio (no Redis) with one dream running and 5 queued, then a restart on its folder. */
async function serverKilledWithFiveQueued(): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'studio-load-'));
  dataDirs.push(data);
  // The fake network at 100 ms a step: the first dream is still running when the studio is killed.
  const slow = ['--backend-module', fakeBackendModule('kind=grid&delayMs=100')];
  const first = await startStudio(undefined, slow, data);
  const ids = await submitAll(first, await photoPng(), { steps: '20' }, 6);
  const before = await Promise.all(ids.map(async (id) => (await view(first, id)).status));
  await first.process.stop('SIGKILL');
  const second = await startStudio(undefined, ['--backend-module', fakeBackendModule()], data);
  try {
    const done = await finished(second, ids);
    const running = before.filter((status) => status === 'running').length;
    const queued = before.filter((status) => status === 'queued').length;
    console.log(
      `kill -9 of the studio with ${running} running and ${queued} queued, then a restart: lost ${ids.length - done} of ${ids.length}`,
    );
  } finally {
    await second.process.stop();
  }
}

// The figures depend on what else the machine runs: say how busy it was.
const load = () => loadavg()[0]!.toFixed(1);
console.log(`${cpus().length} CPUs, load average ${load()} at the start`);
const redis = await startRedis();
try {
  await burst(redis.url);
  await throughput(redis.url, 1);
  await throughput(redis.url, 2);
  await workerKilled(redis.url);
  await memory(redis.url);
  await serverKilledWithFiveQueued();
  console.log(`load average ${load()} at the end`);
} finally {
  await redis.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}
