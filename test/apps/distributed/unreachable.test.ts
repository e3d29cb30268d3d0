/** `serve --redis` and `worker` check Redis at start: one line and exit 1 when it cannot be reached. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertOneLineError, deepdream } from '../../support/cli.js';
import { freePort } from '../../support/redis.js';

test('worker and serve --redis say in one line that nothing answers at the URL', async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  for (const args of [
    ['worker', '--redis', url],
    ['serve', '--port', '0', '--redis', url],
  ]) {
    const result = await deepdream(args);
    assertOneLineError(result, /./);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `deepdream: cannot reach Redis at ${url}: connection refused\n`);
  }
});

test('a URL that is not redis:// is refused before connecting, without its password in messages', async () => {
  const bad = await deepdream(['worker', '--redis', 'localhost:6379']);
  assert.equal(bad.stderr, "deepdream: --redis must be a redis:// or rediss:// URL (got 'localhost:6379')\n");
  const secret = await deepdream(['worker', '--redis', `redis://:hunter2@127.0.0.1:${await freePort()}/0`]);
  assert.match(
    secret.stderr,
    /^deepdream: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: connection refused\n$/,
  );
});

test('worker needs --redis; serve --redis leaves --threads and --device to the workers', async () => {
  assertOneLineError(await deepdream(['worker']), /^deepdream: required option '--redis <url>' not specified\n$/);
  assertOneLineError(
    await deepdream(['serve', '--redis', 'redis://127.0.0.1:1', '--threads', '2']),
    /^deepdream: --threads cannot be combined with --redis \(set it on the workers, where dreams run\)\n$/,
  );
  assertOneLineError(
    await deepdream(['serve', '--redis', 'redis://127.0.0.1:1', '--device', 'cuda']),
    /^deepdream: --device cannot be combined with --redis \(set it on the workers, where dreams run\)\n$/,
  );
  assertOneLineError(
    await deepdream(['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0']),
    /^deepdream: --concurrency must be an integer from 1 to 64 \(got 0\)\n$/,
  );
});

test('a worker asked for a GPU that does not work here says so in one line, before reaching Redis', async () => {
  assertOneLineError(
    await deepdream(['worker', '--redis', 'redis://127.0.0.1:1', '--device', 'cuda']),
    /^deepdream: --device cuda: ONNX Runtime's CUDA provider does not work here \(.+\); it needs an NVIDIA GPU with CUDA 12 and cuDNN 9/,
  );
});
