import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { register } from '../../../src/apps/cli/commands/models.js';

/** Runs `deepdream models ...` on a fresh program and captures stdout. */
async function run(args: string[]): Promise<string> {
  const program = new Command('deepdream').exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'deepdream', 'models', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('deepdream models (CLI)', () => {
  it('lists bundled, installed and downloadable models, then installs and removes one', async () => {
    process.env['INCEPTIONISM_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'inceptionism-cli-'));
    const listing = await run([]);
    assert.match(listing, /bundled:\n {2}inception_v3/);
    assert.match(listing, /installed:\n {2}\(none/);
    assert.match(listing, /bvlc_googlenet .*\n.*licence: unrestricted.*sha1; layers: inception_4c\/output/);
    const fixture = new URL('../../fixtures/onnx/tiny_nhwc.onnx', import.meta.url).pathname;
    assert.match(await run(['add', fixture, '--range', '0,1', '--name', 'mine']), /installed mine \(onnx\)/);
    assert.match(await run([]), /installed:\n {2}mine {2,}onnx from/);
    assert.match(await run(['remove', 'mine']), /removed mine/);
    await assert.rejects(run(['add', fixture, '--mean', '1,2']), {
      message: "--mean must be 3 comma-separated numbers (got '1,2')",
    });
  });
});
