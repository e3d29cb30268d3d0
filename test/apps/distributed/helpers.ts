/** Shared pieces of the distributed-queue tests: `deepdream serve`/`worker` processes, and a look into Redis. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Queue } from 'bullmq';
import { DREAM_QUEUE } from '../../../src/apps/shared/distributed/protocol.js';
import { openRedis } from '../../../src/apps/shared/distributed/redis.js';
import { fakeBackendModule, multipart, TEST_OWNER, type FilePart } from '../server/helpers.js';

const BIN = new URL('../../../bin/deepdream.js', import.meta.url).pathname;

/** A long-running `deepdream` command (serve, worker) whose stderr the test reads as it comes. */
export interface RunningCommand {
  child: ChildProcess;
  stderr(): string;
  /** Waits until stderr matches; returns the match. Fails if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /**
   * Sends `signal` and resolves with the exit code (or the signal that ended it); one still
   * running after 20 s is killed and the test fails.
   */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

/** Runs `deepdream ARGS` with `env` added to this process's environment. */
export function startCommand(args: string[], env: NodeJS.ProcessEnv = {}): RunningCommand {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    stderr: () => stderr,
    async waitFor(pattern, timeoutMs = 60_000) {
      const started = Date.now();
      for (;;) {
        const match = pattern.exec(stderr);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null) assert.fail(`exited before ${pattern}: ${stderr}`);
        if (Date.now() - started > timeoutMs) assert.fail(`no ${pattern} within ${timeoutMs} ms: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code, killedBy] = await exited.finally(() => clearTimeout(timer));
      assert.notEqual(
        killedBy === 'SIGKILL' && signal !== 'SIGKILL',
        true,
        `still running 20 s after ${signal}: ${stderr}`,
      );
      return code ?? killedBy!;
    },
  };
}

/** `deepdream worker` on the fake network, ready once it says it takes dreams. */
export async function startWorker(
  redisUrl: string,
  backendQuery = 'kind=grid',
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
) {
  const worker = startCommand(
    ['worker', '--redis', redisUrl, '--backend-module', fakeBackendModule(backendQuery), ...extra],
    env,
  );
  await worker.waitFor(/Dream worker taking dreams/);
  return worker;
}

/** `deepdream serve --redis` on a free port, and requests to it from one browser (the test owner's). */
export interface RunningStudio extends RunningCommand {
  /** Sends a request with the owner's cookie to `path` on the studio. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Posts a dream; returns its id. */
  submit(fields: Record<string, string>, files: FilePart[]): Promise<string>;
  /** The dream as the API shows it. */
  view(id: string): Promise<DreamView>;
  /** Polls the dream until it is no longer queued or running. */
  waitUntilFinished(id: string): Promise<DreamView>;
}

export interface DreamView {
  kind: string;
  status: string;
  error?: string;
  frames?: number;
}

export async function startStudio(redisUrl: string, dataDir: string): Promise<RunningStudio> {
  const studio = startCommand(['serve', '--port', '0', '--data', dataDir, '--redis', redisUrl]);
  const started = await studio.waitFor(/running at (http:\S+)/).catch(async (err: unknown) => {
    await studio.stop('SIGKILL');
    throw err;
  });
  const base = started[1]!;
  const cookie = `studio_owner=${TEST_OWNER.studio_owner}`;
  const request = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
  const view = async (id: string) => (await (await request(`/api/dreams/${id}`)).json()) as DreamView;
  return {
    ...studio,
    request,
    view,
    async submit(fields, files) {
      const body = await multipart(fields, files);
      const posted = await request('/api/dreams', {
        method: 'POST',
        body: new Uint8Array(body.payload),
        headers: body.headers,
      });
      assert.equal(posted.status, 202, await posted.clone().text());
      return ((await posted.json()) as { id: string }).id;
    },
    async waitUntilFinished(id) {
      for (;;) {
        const seen = await view(id);
        if (!['queued', 'running'].includes(seen.status)) return seen;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** What Redis holds about a dream: its job's state (undefined: no job) and its own keys. */
export async function inRedis(url: string, id: string): Promise<{ state?: string; keys: string[] }> {
  const client = openRedis(url);
  const queue = new Queue(DREAM_QUEUE, { connection: client });
  try {
    const job = await queue.getJob(id);
    const keys = (await client.keys(`inceptionism:dream:${id}:*`)).sort();
    return { ...(job && { state: await job.getState() }), keys };
  } finally {
    await queue.close();
    client.disconnect();
  }
}
