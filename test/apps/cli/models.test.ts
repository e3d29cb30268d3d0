import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { register } from '../../../src/apps/cli/commands/models.js';
import { flagName } from '../../../src/apps/cli/flags.js';
import { errorLine } from '../../../src/apps/shared/errors.js';
import { caffeEntry, withCatalogEntries } from '../../support/catalog.js';

/**
 * Runs `deepdream models ...` on a fresh program and returns what it wrote on stdout. The writes
 * still reach stdout: the test runner reports there too, and its reports must not be swallowed.
 */
async function run(args: string[]): Promise<string> {
  const program = new Command('deepdream').exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((out += chunk), write(chunk))) as typeof process.stdout.write;
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

  it('prints the exact command that installs a catalog model downloaded by hand, and that command works', async () => {
    process.env['INCEPTIONISM_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'inceptionism-cli-'));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const offline = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const caffemodel = new URL('../../fixtures/caffe/tiny_v1.caffemodel', import.meta.url);
    const entry = caffeEntry('tiny_zoo', offline, readFileSync(caffemodel));
    await withCatalogEntries([entry], async () => {
      const hint = await run(['add', 'tiny_zoo', '--name', 'my zoo']).then(
        () => assert.fail('installed without a server'),
        (err: Error) => err.message,
      );
      assert.equal(
        hint,
        `cannot reach ${new URL(offline).host} (ECONNREFUSED); download ${offline}/zoo/tiny_v1.caffemodel and ` +
          `${offline}/zoo/deploy.prototxt by hand into one folder, then run in that folder: ` +
          "deepdream models add tiny_v1.caffemodel --prototxt deploy.prototxt --name 'my zoo'",
      );
      // The user downloads both files and runs the command, without --name (the name has a space).
      const folder = mkdtempSync(join(tmpdir(), 'inceptionism-by-hand-'));
      copyFileSync(caffemodel, join(folder, 'tiny_v1.caffemodel'));
      copyFileSync(new URL('../../fixtures/caffe/tiny_v1.prototxt', import.meta.url), join(folder, 'deploy.prototxt'));
      const command = hint
        .slice(hint.indexOf('deepdream models add ') + 'deepdream models '.length)
        .split(' --name')[0]!;
      const cwd = process.cwd();
      process.chdir(folder);
      try {
        assert.match(
          await run(command.split(' ')),
          /^installed tiny_zoo \(caffe, the catalog's tiny_zoo with its layers and labels\); dream with --model tiny_zoo$/m,
        );
      } finally {
        process.chdir(cwd);
      }
    });
  });

  it('names the missing prototxt by its flag', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'inceptionism-by-hand-'));
    copyFileSync(
      new URL('../../fixtures/caffe/tiny_v1.caffemodel', import.meta.url),
      join(folder, 'tiny_v1.caffemodel'),
    );
    await assert.rejects(run(['add', join(folder, 'tiny_v1.caffemodel')]), (err: Error) => {
      assert.equal(
        errorLine(err, flagName),
        'deepdream: --prototxt must name the deploy prototxt of tiny_v1.caffemodel: there is no tiny_v1.prototxt or deploy.prototxt beside it',
      );
      return true;
    });
  });
});
