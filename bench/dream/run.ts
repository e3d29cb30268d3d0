/**
 * The end-to-end dream benchmark (issue: "Dream a photo ... at any size"):
 * 1. the default dream of a 1024x768 photo by the CLI as a separate process (`node bin/deepdream.js
 *    IN -o OUT`: start-up, model load, decode, dream, encode), against the PyTorch peer
 *    bench/torch/dream.py on the same photo and layer in the same run (also a whole process);
 * 2. peak memory (max RSS) of the CLI dreaming a 4096x4096 photo at full size. Memory does not
 *    depend on the step count, so that run uses one step per octave.
 * The machine is shared and noisy: compare the ratio, not absolute times. BENCH_ROUNDS (default 1)
 * repeats the timed pair and reports medians. Do not edit src/ while it runs: the CLI would fall
 * back to compiling the sources on the fly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PRESETS, DEFAULT_PRESET } from '../../src/core/dream/options.js';
import { median, TORCH_PYTHON, torchAvailable } from '../common.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const MEMORY_TARGET_MB = 1536;
const PHOTO = join(ROOT, 'examples', 'cat.jpg');
const DEFAULT_LAYER = PRESETS[DEFAULT_PRESET]!.options.layers![0]!.name;

interface Timed {
  seconds: number;
  peakRssMB: number;
  stdout: string;
}

/** Runs a command to completion under /usr/bin/time, for its wall time and max RSS. */
function timed(command: string, args: string[]): Timed {
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', command, ...args], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const rss = /maxrss_kb=(\d+)/.exec(result.stderr);
  return { seconds, peakRssMB: rss ? Number(rss[1]) / 1024 : Number.NaN, stdout: result.stdout };
}

// The CLI runs compiled dist/ only when it is newer than src/ (bin/deepdream.js): measure that,
// what `npm install` gives users, not the TypeScript sources compiled on the fly.
execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });

const dir = mkdtempSync(join(tmpdir(), 'dream-bench-'));
try {
  const photo = join(dir, 'photo-1024x768.png');
  const huge = join(dir, 'photo-4096x4096.png');
  await sharp(PHOTO).resize(1024, 768, { fit: 'cover' }).png().toFile(photo);
  await sharp(PHOTO).resize(4096, 4096, { fit: 'cover' }).png().toFile(huge);
  const cli = (input: string, output: string, ...extra: string[]) =>
    timed('node', ['bin/deepdream.js', input, '-o', output, '--quiet', ...extra]);

  console.log(
    `default dream of a 1024x768 photo (${DEFAULT_PRESET}: ${DEFAULT_LAYER}), whole processes, ${ROUNDS} round(s)`,
  );
  const ours: Timed[] = [];
  const theirs: Array<Timed & { dreamSeconds: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    ours.push(cli(photo, join(dir, 'dream-ts.png')));
    if (torchAvailable) {
      const run = timed(TORCH_PYTHON, [
        'bench/torch/dream.py',
        photo,
        '--layer',
        DEFAULT_LAYER,
        '--out',
        join(dir, 'dream-torch.png'),
      ]);
      theirs.push({
        ...run,
        dreamSeconds: (JSON.parse(run.stdout.trim().split('\n').pop()!) as { seconds: number }).seconds,
      });
    }
  }
  const oursSeconds = median(ours.map((r) => r.seconds));
  console.log(
    `  deepdream CLI   ${oursSeconds.toFixed(1)} s   peak RSS ${median(ours.map((r) => r.peakRssMB)).toFixed(0)} MB`,
  );
  if (torchAvailable) {
    const theirSeconds = median(theirs.map((r) => r.seconds));
    console.log(
      `  PyTorch peer    ${theirSeconds.toFixed(1)} s   peak RSS ${median(theirs.map((r) => r.peakRssMB)).toFixed(0)} MB` +
        `   (dreaming alone ${median(theirs.map((r) => r.dreamSeconds)).toFixed(1)} s)`,
    );
    console.log(`  ratio CLI / PyTorch: ${(oursSeconds / theirSeconds).toFixed(2)} (below 1: faster)`);
  } else {
    console.log(`  PyTorch not found at ${TORCH_PYTHON}: no ratio printed`);
  }

  const big = cli(huge, join(dir, 'dream-4096.png'), '--max-size', '0', '--steps', '1');
  const verdict = big.peakRssMB <= MEMORY_TARGET_MB ? 'within' : 'OVER';
  console.log(
    `4096x4096 at full size (1 step per octave): ${big.seconds.toFixed(0)} s, peak RSS ${big.peakRssMB.toFixed(0)} MB ` +
      `(${verdict} the ${MEMORY_TARGET_MB} MB target)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
