/**
 * The CLI's argument handling, in process: every refusal is one line on stderr and a non-zero
 * exit code. (Only stderr is captured: the test runner talks to its parent over stdout.)
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../src/apps/deepdream.js';
import { makeClip } from '../../node/video/clips.js';

const CAT = new URL('../../../examples/cat.jpg', import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write;
  process.stderr.write = ((text: string) => ((stderr += text), true)) as typeof write;
  try {
    return { code: await main(['node', 'deepdream', ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe('main', () => {
  it('refuses bad flags and values before dreaming, in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--sed', '3'], /unknown option '--sed' \(Did you mean --seed\?\)/],
      [[CAT, '-o', 'x.png', '--steps', 'many'], /^deepdream: --steps must be an integer \(got 'many'\)$/m],
      [[CAT, '-o', 'x.png', '--octave-scale', '0.5'], /--octave-scale must be a number from 1.05 to 4 \(got 0.5\)$/m],
      [[CAT, '-o', 'x.png', '--jitter', '-4'], /--jitter must be an integer from 0 to 512 \(got -4\)$/m],
      [[CAT, '-o', 'x.png', '--channel', '3,3'], /--channel must list each channel once \(got 3 twice\)$/m],
      [[CAT, '-o', 'x.png', '--layer', 'mixed3:0'], /--layer must have a non-zero weight for 'mixed3' \(got 0\)$/m],
      [[CAT, '-o', 'x.png', '--norm', 'max'], /--norm must be one of meanAbs, std, laplacian \(got 'max'\)$/m],
      [[CAT, '-o', 'x.png', '--preset', 'nope'], /--preset must be one of eyes, textures, objects \(got 'nope'\)$/m],
      [[CAT, '-o', 'x.png', '--max-size', '-1'], /--max-size must be an integer of at least 0 \(got -1\)$/m],
      [[CAT, '-o', 'x.png', '--threads', '0'], /--threads must be an integer from 1 to 256 \(got 0\)$/m],
      [[CAT, '-o', 'x.png', '--device', 'gpu'], /--device must be one of auto, cpu, cuda, webgpu \(got 'gpu'\)$/m],
      [[CAT, '-o', 'x.png', '--from-noise', '64x64'], /give photos or --from-noise, not both/],
      [['--from-noise', '20000x20000', '-o', 'x.png'], /--from-noise 20000x20000 is too large/],
      [[CAT], /say where to write the dream with -o OUTPUT/],
      [['-o', 'x.png'], /nothing to dream/],
      [[CAT, '-o', 'x.gif'], /cannot write x\.gif: unknown image extension/],
      [['missing.jpg', '-o', 'x.png'], /cannot read missing\.jpg: no such file/],
      [[CAT, '-o', 'x.png', '--recipe-from', CAT], /cat\.jpg holds no recipe/],
      [['recipe'], /missing required argument 'file'/],
      [['recipe', CAT, 'extra'], /too many arguments/],
      [['recipe', CAT], /holds no recipe/],
    ];
    for (const [args, pattern] of cases) {
      const { code, stderr } = await run(args);
      assert.notEqual(code, 0, args.join(' '));
      assert.match(stderr, /^deepdream: [^\n]+\n$/, args.join(' '));
      assert.match(stderr, pattern);
    }
  });
});

/** Runs each case and expects exactly "deepdream: <message>" on stderr and a failure code. */
async function expectMessages(cases: [string[], string][]): Promise<void> {
  for (const [args, message] of cases) {
    const { code, stderr } = await run(args);
    assert.equal(code, 1, args.join(' '));
    assert.equal(stderr, `deepdream: ${message}\n`, args.join(' '));
  }
}

describe('main names options by their flags', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inceptionism-flags-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('in dream option messages', () =>
    expectMessages([
      [[CAT, '-o', 'x.png', '--tile', '32'], '--tile must be an integer from 64 to 2048 (got 32)'],
      [[CAT, '-o', 'x.png', '--step-size', '0'], '--step-size must be a number from 0.01 to 100 (got 0)'],
      [[CAT, '-o', 'x.png', '--octaves', '13'], '--octaves must be an integer from 1 to 12 (got 13)'],
      [[CAT, '-o', 'x.png', '--seed', '-1'], '--seed must be an integer from 0 to 4294967295 (got -1)'],
      [[CAT, '-o', 'x.png', '--blur', '11'], '--blur must be a number from 0 to 10 (got 11)'],
      [[CAT, '-o', 'x.png', '--blur', 'soft'], "--blur must be a number (got 'soft')"],
      [[CAT, '-o', 'x.png', '--channel', '3,x'], "--channel must be an integer (got 'x')"],
      [[CAT, '-o', 'x.png', '--layer', ':2'], "--layer must be a layer name, optionally with :weight (got ':2')"],
      [
        [CAT, '-o', 'x.png', '--layer', 'mixed5:lots'],
        "--layer must be a layer name with a number as :weight (got 'mixed5:lots')",
      ],
      [['--from-noise', '0x5', '-o', 'x.png'], "--from-noise must be WIDTHxHEIGHT of at least 1x1 (got '0x5')"],
      [['--from-noise', 'big', '-o', 'x.png'], "--from-noise must be WIDTHxHEIGHT, e.g. 1024x768 (got 'big')"],
      [[CAT, '-o', 'x.png', '--class', ' '], "--class must be a non-empty label name or class number (got ' ')"],
      [
        [CAT, '-o', 'x.png', '--class', 'banana', '--channel', '1'],
        '--class cannot be combined with --channel: the class logit is the objective',
      ],
      [
        [CAT, '-o', 'x.png', '--class', 'banana', '--preset', 'eyes'],
        '--class cannot be combined with --preset: the class logit is the objective',
      ],
      [
        [CAT, '-o', 'x.png', '--class', 'banana', '--guide', CAT],
        '--class cannot be combined with --guide: the class logit is the objective',
      ],
    ]));

  it('in zoom option messages', async () => {
    const zoom = (...args: string[]) => ['zoom', '-o', join(dir, 'zoom.mp4'), ...args];
    await expectMessages([
      [zoom('--frames', '0'), '--frames must be an integer of at least 1 (got 0)'],
      [zoom('--frames', 'many'), "--frames must be an integer (got 'many')"],
      [zoom('--fps', '0'), '--fps must be a number over 0 and at most 240 (got 0)'],
      [zoom('--zoom', '2'), '--zoom must be a number over 0.5 and under 2 (got 2)'],
      [zoom('--color-lock', '1.5'), '--color-lock must be a number from 0 to 1 (got 1.5)'],
      [zoom('--size', '10'), "--size must be WIDTHxHEIGHT, e.g. 1024x768 (got '10')"],
      [zoom('--translate', 'left'), "--translate must be X,Y in pixels per frame, e.g. 2,-1 (got 'left')"],
      [zoom('--steps', '0'), '--steps must be an integer from 1 to 1000 (got 0)'],
      [zoom('--tile', '4000'), '--tile must be an integer from 64 to 2048 (got 4000)'],
      [
        zoom('--schedule', 'mixed5'),
        "--schedule must be layer:frames entries, e.g. mixed5:100,mixed4:100 (got 'mixed5')",
      ],
      [zoom('--schedule', 'mixed5:1', '--layers', 'mixed4'), '--schedule cannot be combined with --layers'],
      [zoom('--every', '5'), '--every needs --layers'],
      [zoom('--layers', 'mixed4,mixed5', '--every', '0'), '--every must be an integer of at least 1 (got 0)'],
    ]);
  });

  it('in the message of a work folder holding another render', async () => {
    const output = join(dir, 'other.mp4');
    await mkdir(`${output}.frames`);
    const manifest = { kind: 'zoom', settingsHash: 'another', settings: {} };
    await writeFile(join(`${output}.frames`, 'manifest.json'), JSON.stringify(manifest));
    await expectMessages([
      [
        ['zoom', '-o', output, '--size', '16x16'],
        `--restart is needed to replace the render with other settings in ${output}.frames (or delete that folder)`,
      ],
    ]);
  });

  it('in video option messages', async () => {
    const clip = join(dir, 'clip.mp4');
    await makeClip(clip, { seconds: 0.5, fps: 10 });
    const video = (...args: string[]) => ['video', clip, '-o', join(dir, 'video.mp4'), ...args];
    await expectMessages([
      [video('--blend', '2'), '--blend must be a number from 0 to 1 (got 2)'],
      [video('--strength', '0'), '--strength must be a number over 0 and at most 10 (got 0)'],
      [video('--start', '-1'), "--start must be seconds (12.5) or a time (1:02.5, 0:01:02.5) (got '-1')"],
      [video('--start', '2', '--end', '1'), '--end must be after --start (got 1)'],
      [video('--frames', '0'), '--frames must be an integer of at least 1 (got 0)'],
      [video('--width', '4'), '--width must be an integer from 8 to 8192 (got 4)'],
      [video('--start', '5'), `--start must be before the end of ${clip} at 0.50s (got 5)`],
    ]);
  });

  it('in serve option messages', () =>
    expectMessages([
      [['serve', '--port', 'http'], "--port must be an integer (got 'http')"],
      [['serve', '--threads', '0'], '--threads must be an integer from 1 to 256 (got 0)'],
      [['serve', '--max-size', '10'], '--max-size must be an integer of at least 64 (got 10)'],
      [['serve', '--concurrency', '0'], '--concurrency must be an integer of at least 1 (got 0)'],
      [['serve', '--device', 'tpu'], "--device must be one of auto, cpu, cuda, webgpu (got 'tpu')"],
    ]));
});
