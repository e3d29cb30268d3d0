/**
 * The atlas benchmark (issue: "See what the network sees"):
 * 1. seconds per channel of InceptionV3 `mixed4` at 128 px, default settings, with the default
 *    batch and with one image per network run, in alternating rounds on the same channels so both
 *    see the same machine load (wall and CPU time), and what that makes for a full 768-channel
 *    atlas and for its first 64 channels (start-up included, measured);
 * 2. peak memory (max RSS) of `deepdream atlas` rendering 16 channels as a separate process;
 * 3. quality at the default settings: of 20 random channels, how many respond most to their own
 *    image, and the images' mean saturation and RMS contrast (the CI test checks a lighter setting).
 * The machine is shared and noisy: compare the ratio, not absolute times. BENCH_ROUNDS (default 3)
 * sets the rounds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channel } from '../../src/core/visualize/objective.js';
import { DEFAULT_VISUALIZE_SETTINGS } from '../../src/core/visualize/settings.js';
import type { FeatureProgram } from '../../src/core/visualize/program.js';
import { visualize } from '../../src/core/visualize/visualize.js';
import { loadModel } from '../../src/node/models/index.js';
import { openFeatureProgram, visualizeFeatures } from '../../src/node/visualize/features.js';
import { channelMeans, ownImageFirst, sampleChannels } from '../../test/support/feature-quality.js';
import { meanSaturation, rmsContrast } from '../../test/support/image-stats.js';
import { median } from '../common.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const LAYER = 'mixed4';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Channels of the separate `deepdream atlas` process (peak memory, start-up). */
const CHANNELS = 16;
const FULL = 768;
const TARGET_FULL_MINUTES = 30;
const TARGET_FIRST_64_MINUTES = 3;
const MEMORY_TARGET_MB = 1024;

const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-'));
try {
  const model = await loadModel('inception_v3');
  const settings = DEFAULT_VISUALIZE_SETTINGS;
  console.log(
    `InceptionV3 ${LAYER}, ${settings.size} px, ${settings.steps} steps: ${ROUNDS} rounds of ${settings.batch} channels, ` +
      `batched and one at a time in turn (rendering only)`,
  );
  const batched = await openFeatureProgram(model, channel(LAYER, 0), settings, settings.batch);
  const single = await openFeatureProgram(model, channel(LAYER, 0), settings, 1);
  /** Wall and CPU seconds per channel of `program` on `channels`. */
  const timed = async (program: FeatureProgram, channels: number[]) => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    await visualize(
      channels.map((c) => channel(LAYER, c)),
      program,
      settings,
    );
    const used = process.cpuUsage(cpu);
    return {
      wall: (performance.now() - wall) / 1000 / channels.length,
      cpu: (used.user + used.system) / 1e6 / channels.length,
    };
  };
  const rounds: Array<{ batched: { wall: number; cpu: number }; single: { wall: number; cpu: number } }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const channels = Array.from({ length: settings.batch }, (_, i) => round * settings.batch + i);
    rounds.push({ batched: await timed(batched, channels), single: await timed(single, channels) });
  }
  await Promise.all([batched.release(), single.release()]);
  const of = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
  const perChannel = of((r) => r.batched.wall);
  console.log(
    `  batch ${settings.batch}: ${perChannel.toFixed(2)} s per channel (${of((r) => r.batched.cpu).toFixed(2)} CPU s)`,
  );
  console.log(
    `  batch 1: ${of((r) => r.single.wall).toFixed(2)} s per channel (${of((r) => r.single.cpu).toFixed(2)} CPU s)`,
  );
  console.log(
    `  ratio batch ${settings.batch} / batch 1: wall ${of((r) => r.batched.wall / r.single.wall).toFixed(2)}, ` +
      `CPU ${of((r) => r.batched.cpu / r.single.cpu).toFixed(2)} (median of the rounds; below 1: batching is faster)`,
  );
  const fullMinutes = (FULL * perChannel) / 60;
  console.log(
    `  full ${FULL}-channel atlas: ${fullMinutes.toFixed(1)} min projected (target ${TARGET_FULL_MINUTES} min: ${fullMinutes <= TARGET_FULL_MINUTES ? 'within' : 'OVER'})`,
  );

  const started = performance.now();
  const cli = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'maxrss_kb=%M',
      'node',
      'bin/deepdream.js',
      'atlas',
      '--layer',
      LAYER,
      '--channels',
      `0-${CHANNELS - 1}`,
      '-o',
      join(dir, 'cli'),
      '--quiet',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (cli.status !== 0) throw new Error(`deepdream atlas failed:\n${cli.stderr}`);
  const cliSeconds = (performance.now() - started) / 1000;
  const rss = Number(/maxrss_kb=(\d+)/.exec(cli.stderr)?.[1]) / 1024;
  const startup = cliSeconds - CHANNELS * perChannel;
  const first64 = (startup + 64 * perChannel) / 60;
  console.log(
    `deepdream atlas, ${CHANNELS} channels as a process: ${cliSeconds.toFixed(0)} s, peak RSS ${rss.toFixed(0)} MB ` +
      `(${rss <= MEMORY_TARGET_MB ? 'within' : 'OVER'} the ${MEMORY_TARGET_MB} MB target)`,
  );
  console.log(
    `  first 64 channels: ${first64.toFixed(1)} min projected, start-up included ` +
      `(target ${TARGET_FIRST_64_MINUTES} min: ${first64 <= TARGET_FIRST_64_MINUTES ? 'within' : 'OVER'})`,
  );

  const sample = sampleChannels(768, 20, 1);
  const images = await visualizeFeatures(
    model,
    sample.map((c) => channel(LAYER, c)),
  );
  const first = ownImageFirst(sample, await channelMeans(model, LAYER, images));
  const mean = (f: (i: (typeof images)[number]) => number) => images.reduce((a, i) => a + f(i), 0) / images.length;
  console.log(
    `quality at the default settings: ${first}/20 channels respond most to their own image; ` +
      `mean saturation ${mean(meanSaturation).toFixed(3)}, RMS contrast ${mean(rmsContrast).toFixed(3)} ` +
      `(a dream from noise: 0.136 and 0.049)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
