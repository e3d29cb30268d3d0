/** The real `deepdream` executable, run as a child process, for tests of whole commands. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

const BIN = new URL('../../bin/deepdream.js', import.meta.url).pathname;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function deepdream(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `--backend-module` with the fake network, configured by `query` (see fake-backend-module.ts). */
export function fakeBackendFlags(query = 'kind=grid'): string[] {
  return ['--backend-module', new URL(`./fake-backend-module.ts?${query}`, import.meta.url).href];
}

/** A failed run prints exactly one line, "deepdream: ...", and exits non-zero. */
export function assertOneLineError(result: Result, pattern: RegExp): void {
  assert.notEqual(result.code, 0);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^deepdream: [^\n]+\n$/);
  assert.match(result.stderr, pattern);
}
