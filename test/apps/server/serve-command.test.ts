/** `deepdream serve` as a real process: it starts, answers, and stops cleanly on Ctrl+C. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeBackendModule, multipart, photoPng } from './helpers.js';

const BIN = new URL('../../../bin/deepdream.js', import.meta.url).pathname;

test('deepdream serve starts the studio, answers, and stops on SIGINT', async () => {
  const data = await mkdtemp(join(tmpdir(), 'serve-test-'));
  const args = [BIN, 'serve', '--port', '0', '--data', data, '--verbose', '--backend-module', fakeBackendModule()];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  try {
    while (!/running at (http:\S+)/.test(stderr)) {
      if (child.exitCode !== null) assert.fail(`serve exited early: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /running at (http:\S+)/.exec(stderr)![1]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const presets = await fetch(`${url}/api/presets`);
    assert.equal(presets.status, 200);
    // The real catalog; no request here loads a model (that converts it on a fresh machine).
    const models = (await (await fetch(`${url}/api/models`)).json()) as { models: Array<{ name: string }> };
    assert.ok(models.models.some((m) => m.name === 'inception_v3'));

    const body = await multipart({ steps: '1', preset: 'bogus' }, [{ name: 'p.png', bytes: await photoPng() }]);
    const refused = await fetch(`${url}/api/dreams`, {
      method: 'POST',
      body: new Uint8Array(body.payload),
      headers: body.headers,
    });
    assert.equal(refused.status, 400);
    assert.equal(
      ((await refused.json()) as { error: string }).error,
      "preset must be one of eyes, textures, objects (got 'bogus')",
    );
  } finally {
    child.kill('SIGINT');
  }
  const [code] = await once(child, 'exit');
  await rm(data, { recursive: true, force: true });
  assert.equal(code, 0);
  // --verbose: one line per request, and nothing else after the banner.
  const lines = stderr.trim().split('\n');
  assert.match(lines[0]!, /^Dream studio running at/);
  assert.deepEqual(
    lines.slice(1).map((line) => line.replace(/ \d+ms$/, '')),
    ['GET /api/presets 200', 'GET /api/models 200', 'POST /api/dreams 400'],
  );
});

test('deepdream serve refuses a bad port with one line', async () => {
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, 'serve', '--port', '70000'], (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    ),
  );
  assert.equal(code, 1);
  assert.equal(stderr, 'deepdream: --port must be an integer from 0 to 65535 (got 70000)\n');
});
