/** `deepdream atlas`, run as a child process on the bundled InceptionV3. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseChannelRanges } from '../../../src/apps/cli/commands/atlas.js';

const BIN = new URL('../../../bin/deepdream.js', import.meta.url).pathname;

function deepdream(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('deepdream atlas', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inceptionism-atlas-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('renders the chosen channels, then finds them done', async () => {
    const output = join(dir, 'atlas');
    const args = ['atlas', '--layer', 'mixed0', '--channels', '0-1', '--size', '48', '--steps', '1', '-o', output];
    const first = await deepdream([...args, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const events = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      events.map((e) => [e['event'], e['done']]),
      [
        ['progress', 0],
        ['progress', 2],
        ['done', undefined],
      ],
    );
    assert.deepEqual([events[2]!['rendered'], events[2]!['page']], [2, join(output, 'index.html')]);
    const again = await deepdream(args);
    assert.equal(again.code, 0);
    assert.match(
      again.stderr,
      /wrote .*index\.html: 2 channels of inception_v3 mixed0 \(0 rendered, 2 already there\)/,
    );
  });

  it('refuses in one line before any work', async () => {
    const output = join(dir, 'refused');
    for (const [args, message] of [
      [['--layer', 'mixed9'], /^deepdream: layer 'mixed9' of inception_v3 cannot be dreamed: /],
      [
        ['--layer', 'mixed4', '--channels', '760-770'],
        /^deepdream: channel 768 is out of range: layer 'mixed4' has channels 0 to 767\n$/,
      ],
      [['--channels', '9-3'], /^deepdream: --channels must be ranges from low to high, e.g. 0-63 \(got '9-3'\)\n$/],
      [['--batch', '0'], /^deepdream: --batch must be an integer from 1 to 64 \(got 0\)\n$/],
    ] as const) {
      const result = await deepdream(['atlas', ...args, '-o', output]);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
    }
    assert.deepEqual(await readdir(output).catch(() => []), []);
    const missing = await deepdream(['atlas']);
    assert.equal(missing.stderr, 'deepdream: say where to write the atlas with -o FOLDER\n');
  });

  it('deepdream explain refuses in one line before any work', async () => {
    const cat = new URL('../../../examples/cat.jpg', import.meta.url).pathname;
    const atlas = join(dir, 'explain-atlas');
    const badExtension = await deepdream(['explain', cat, '-o', join(dir, 'explain.txt'), '--atlas', atlas]);
    assert.match(badExtension.stderr, /^deepdream: cannot write .*explain\.txt: unknown image extension \(use \.png, /);
    const badLayer = await deepdream([
      'explain',
      cat,
      '--layer',
      'mixed44',
      '-o',
      join(dir, 'e.png'),
      '--atlas',
      atlas,
    ]);
    assert.match(badLayer.stderr, /^deepdream: model inception_v3 has no layer 'mixed44'; similar: /);
    assert.equal(badLayer.stderr.split('\n').length, 2, 'one line');
    assert.deepEqual(await readdir(atlas).catch(() => []), []);
  });

  it('reads channel lists and ranges', () => {
    assert.deepEqual(parseChannelRanges('0-3,7, 10-11'), [0, 1, 2, 3, 7, 10, 11]);
    assert.throws(() => parseChannelRanges('1,1'), {
      message: "must list each channel once (got '1,1')",
    });
    assert.throws(() => parseChannelRanges('a'), {
      message: "must be channel numbers or ranges, e.g. 0-63 or 3,7,10-12 (got 'a')",
    });
  });
});
