/**
 * Stopping `deepdream` while it dreams: Ctrl+C (SIGINT) or SIGTERM ends it with one line and the
 * signal's exit code, a closed stdout pipe ends it quietly, and never with a native abort or a
 * partial output file. With the real engine too: a process that exits while ONNX Runtime runs in
 * the dream worker aborts ("terminate called after throwing an instance of 'Napi::Error'").
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { fakeBackendFlags } from '../../support/cli.js';

const BIN = new URL('../../../bin/deepdream.js', import.meta.url).pathname;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `deepdream args --json`; once `lines` progress lines are out, `act` does something to the
 * process (a signal, or closing the pipe it writes to).
 */
async function dreamUntil(
  args: string[],
  lines: number,
  act: (child: ReturnType<typeof spawn>) => void,
): Promise<Ended> {
  const child = spawn(process.execPath, [BIN, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stdout = '';
  let acted = false;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    if (!acted && stdout.split('\n').filter((line) => line.includes('"progress"')).length >= lines) {
      acted = true;
      act(child);
    }
  });
  const [code, signal] = await exited;
  assert.ok(acted, `the dream ended before it was stopped: ${stderr}`);
  return { code, signal, stderr };
}

describe('deepdream stopped while dreaming', () => {
  let dir: string;
  let photo: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signal-test-'));
    photo = join(dir, 'photo.png');
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#7a5' } }).toFile(photo);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // 50 ms per tile step: a dream of 100 steps takes seconds.
  const slowFake = () => fakeBackendFlags('kind=grid&delayMs=50');

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal}: one line, exit code ${code}, no output file`, async () => {
      const output = join(dir, `${signal}.png`);
      const ended = await dreamUntil([photo, '-o', output, '--steps', '100', ...slowFake()], 1, (child) =>
        child.kill(signal),
      );
      assert.deepEqual(ended, { code, signal: null, stderr: 'deepdream: interrupted\n' });
      assert.equal(existsSync(output), false);
    });
  }

  test('a closed stdout pipe (| head -2): a quiet exit', async () => {
    const output = join(dir, 'epipe.png');
    const ended = await dreamUntil([photo, '-o', output, '--steps', '100', ...slowFake()], 1, (child) =>
      child.stdout!.destroy(),
    );
    assert.deepEqual(ended, { code: 0, signal: null, stderr: '' });
    assert.equal(existsSync(output), false);
  });

  test('Ctrl+C with the real engine mid-step: no native abort', async () => {
    const output = join(dir, 'engine.png');
    const ended = await dreamUntil([photo, '-o', output, '--steps', '100', '--threads', '1'], 1, (child) =>
      child.kill('SIGINT'),
    );
    assert.deepEqual(ended, { code: 130, signal: null, stderr: 'deepdream: interrupted\n' });
    assert.equal(existsSync(output), false);
  });
});
