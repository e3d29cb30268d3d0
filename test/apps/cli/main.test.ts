/**
 * The CLI's argument handling, in process: every refusal is one line on stderr and a non-zero
 * exit code. (Only stderr is captured: the test runner talks to its parent over stdout.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../../src/apps/deepdream.js';

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
      [[CAT, '-o', 'x.png', '--steps', 'many'], /'--steps <n>' argument 'many' is invalid\. expected a whole number/],
      [[CAT, '-o', 'x.png', '--octave-scale', '0.5'], /octaveScale must be a number from 1.05 to 4 \(got 0.5\)/],
      [[CAT, '-o', 'x.png', '--jitter', '-4'], /jitter must be an integer from 0 to 512 \(got -4\)/],
      [[CAT, '-o', 'x.png', '--channel', '3,3'], /channel 3 is listed twice/],
      [[CAT, '-o', 'x.png', '--layer', 'mixed3:0'], /layer 'mixed3' weight must be a non-zero number/],
      [[CAT, '-o', 'x.png', '--norm', 'max'], /expected one of meanAbs, std, laplacian/],
      [[CAT, '-o', 'x.png', '--preset', 'nope'], /unknown preset 'nope'/],
      [[CAT, '-o', 'x.png', '--max-size', '-1'], /--max-size must be 0 \(no limit\) or more/],
      [[CAT, '-o', 'x.png', '--threads', '0'], /--threads must be from 1 to 256 \(got 0\)/],
      [[CAT, '-o', 'x.png', '--from-noise', '64x64'], /give photos or --from-noise, not both/],
      [['--from-noise', '20000x20000', '-o', 'x.png'], /--from-noise 20000x20000 is too large/],
      [[CAT], /say where to write the dream with -o OUTPUT/],
      [['-o', 'x.png'], /nothing to dream/],
      [[CAT, '-o', 'x.gif'], /cannot write x\.gif: unknown image extension/],
      [['missing.jpg', '-o', 'x.png'], /cannot read missing\.jpg: no such file/],
      [[CAT, '-o', 'x.png', '--recipe-from', CAT], /cat\.jpg holds no recipe/],
      [['recipe'], /missing required argument 'image'/],
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
