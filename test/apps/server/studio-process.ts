/** `deepdream serve` as a child process on a given data folder, spoken to as one browser. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fakeBackendModule, multipart, TEST_OWNER } from './helpers.js';

const BIN = new URL('../../../bin/deepdream.js', import.meta.url).pathname;

export interface StudioProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  /** Resolves with the exit code and signal once the process has ended. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** fetch() on the studio, with the test browser's owner cookie. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  postDream: (fields: Record<string, string>, photo: Buffer) => Promise<Response>;
}

/** Starts the studio with the fake network (`backendQuery`, see fake-backend-module.ts) and waits for its banner. */
export async function startStudioProcess(
  dataDir: string,
  backendQuery: string,
  extraArgs: string[] = [],
): Promise<StudioProcess> {
  const args = [BIN, 'serve', '--port', '0', '--data', dataDir, '--backend-module', fakeBackendModule(backendQuery)];
  const child = spawn(process.execPath, [...args, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  while (!/running at (http:\S+)/.test(stderr)) {
    if (child.exitCode !== null) assert.fail(`serve exited early: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /running at (http:\S+)/.exec(stderr)![1]!;
  const cookie = `studio_owner=${TEST_OWNER.studio_owner}`;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
  return {
    url,
    child,
    stderr: () => stderr,
    exited,
    api,
    postDream: async (fields, photo) => {
      const body = await multipart(fields, [{ name: 'p.png', bytes: photo }]);
      return api('/api/dreams', { method: 'POST', body: new Uint8Array(body.payload), headers: body.headers });
    },
  };
}

/** What the tests read of a dream's view. */
export interface View {
  id: string;
  status: string;
  progress?: unknown;
}

/** Polls until `condition` holds for the dream's view, and fails if it ends first; returns that view. */
export async function waitForView<T extends { status: string }>(
  studio: StudioProcess,
  id: string,
  condition: (view: T) => boolean,
): Promise<T> {
  for (;;) {
    const view = (await (await studio.api(`/api/dreams/${id}`)).json()) as T;
    if (condition(view)) return view;
    if (!['queued', 'running'].includes(view.status)) assert.fail(`dream ended first: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}
