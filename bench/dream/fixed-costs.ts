/**
 * Fixed costs of the default dream of a 1024x768 photo: everything but its gradient steps at
 * steady speed. Measured in process: reading the photo, loading the model, each octave's program
 * (compiling the gradient graph and creating its ORT session), the excess of each session's first
 * step over its steady steps, and writing the result. Variants of the tile shapes run in the same
 * process, alternated round by round; ratios are against the baseline of the same round.
 * The fixed parts are also given in CPU time (all threads of the process), which a machine shared
 * with other work distorts far less than wall time. BENCH_ROUNDS (default 5); BENCH_STEPS (default
 * 10) steps per octave.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DreamBackend } from '../../src/core/dream/backend.js';
import { dreamImage } from '../../src/core/dream/dream-image.js';
import type { GradientSession, TileShape } from '../../src/core/engine/index.js';
import { readImage, writeImage } from '../../src/node/image/index.js';
import { loadModel } from '../../src/node/models/index.js';
import { modelBackend } from '../../src/node/dream/model-backend.js';
import { median } from '../common.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? 10);

/** CPU time of this process so far (user + system, every thread), in ms. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

interface ProgramTimes {
  tile: string;
  /** Compiling the gradient graph and creating its session. */
  createMs: number;
  createCpuMs: number;
  /** Each run of the session (one tile each). */
  runs: number[];
}

/**
 * The backend, timing each program and run; `tileFor` may hand an octave a larger tile than the
 * one it asks for (tiledGradient lays its windows out by the session's tile, the torus wraps).
 */
function timedBackend(inner: DreamBackend, log: ProgramTimes[], tileFor: (tile: TileShape) => TileShape): DreamBackend {
  return {
    ...inner,
    async gradientSession(objective, asked) {
      const tile = tileFor(asked);
      const start = performance.now();
      const startCpu = cpuMs();
      const session = await inner.gradientSession(objective, tile);
      const times: ProgramTimes = {
        tile: `${tile.width}x${tile.height}`,
        createMs: performance.now() - start,
        createCpuMs: cpuMs() - startCpu,
        runs: [],
      };
      log.push(times);
      const timed: GradientSession = {
        tileHeight: session.tileHeight,
        tileWidth: session.tileWidth,
        async run(input, extra) {
          const t = performance.now();
          const result = await session.run(input, extra);
          times.runs.push(performance.now() - t);
          return result;
        },
        release: () => session.release(),
      };
      return timed;
    },
  };
}

interface Breakdown {
  totalMs: number;
  readMs: number;
  loadMs: number;
  programsMs: number;
  firstStepsExcessMs: number;
  writeMs: number;
  /** Steady steps: each octave's step count times its median step (its tiles' runs). */
  stepsMs: number;
  fixedMs: number;
  /** CPU time of the fixed parts: reading, model, programs, writing (first steps excluded). */
  fixedCpuMs: number;
  programsCpuMs: number;
  loadCpuMs: number;
}

async function oneDream(photo: string, out: string, variant: Variant): Promise<Breakdown> {
  const log: ProgramTimes[] = [];
  const c0 = cpuMs();
  const t0 = performance.now();
  const { image } = await readImage(photo);
  const t1 = performance.now();
  const c1 = cpuMs();
  const model = await loadModel('inception_v3');
  const t2 = performance.now();
  const c2 = cpuMs();
  const backend = timedBackend(modelBackend(model), log, variant.tileFor);
  // Programs stay cached until the dream ends, so an octave handed an earlier octave's tile reuses its program.
  const result = await dreamImage(image, { steps: STEPS }, backend);
  await backend.release();
  const t3 = performance.now();
  const c3 = cpuMs();
  await writeImage(out, result);
  const t4 = performance.now();
  const c4 = cpuMs();
  let stepsMs = 0;
  let firstStepsExcessMs = 0;
  for (const { runs } of log) {
    const tiles = runs.length / STEPS;
    const steps = Array.from({ length: STEPS }, (_, s) =>
      runs.slice(s * tiles, (s + 1) * tiles).reduce((a, b) => a + b),
    );
    const steady = median(steps.slice(1));
    stepsMs += steady * STEPS;
    firstStepsExcessMs += steps[0]! - steady;
  }
  const programsMs = log.reduce((a, s) => a + s.createMs, 0);
  const programsCpuMs = log.reduce((a, s) => a + s.createCpuMs, 0);
  const breakdown = {
    totalMs: t4 - t0,
    readMs: t1 - t0,
    loadMs: t2 - t1,
    programsMs,
    firstStepsExcessMs,
    writeMs: t4 - t3,
    stepsMs,
  };
  return {
    ...breakdown,
    fixedMs: breakdown.readMs + breakdown.loadMs + programsMs + firstStepsExcessMs + breakdown.writeMs,
    fixedCpuMs: c2 - c0 + programsCpuMs + (c4 - c3),
    programsCpuMs,
    loadCpuMs: c2 - c1,
  };
}

interface Variant {
  name: string;
  tileFor: (tile: TileShape) => TileShape;
}

const same = (a: TileShape, b: TileShape): boolean => a.width === b.width && a.height === b.height;
/** The default 1024x768 dream's octaves ask for tiles 373x280, 261x392 (1x2), 366x275 (2x2) and 512x384 (2x2). */
const variants: Variant[] = [
  { name: 'baseline', tileFor: (tile) => tile },
  {
    name: 'share 373x280',
    tileFor: (tile) => (same(tile, { width: 366, height: 275 }) ? { width: 373, height: 280 } : tile),
  },
  { name: 'one 512x384', tileFor: () => ({ width: 512, height: 384 }) },
];

const photo = join(tmpdir(), 'fixed-costs-1024x768.png');
await sharp(join(ROOT, 'examples', 'cat.jpg'))
  .resize(1024, 768, { fit: 'cover' })
  .png()
  .toFile(photo);
const results = new Map<string, Breakdown[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of variants) {
    const out = join(tmpdir(), `fixed-costs-${round}.png`);
    results.get(variant.name)!.push(await oneDream(photo, out, variant));
  }
}
const base = results.get('baseline')!;
const ms = (rs: Breakdown[], key: keyof Breakdown): string => median(rs.map((r) => r[key])).toFixed(0);
const ratio = (rs: Breakdown[], key: keyof Breakdown): string =>
  median(rs.map((r, i) => r[key] / base[i]![key])).toFixed(2);
console.log(`default dream of a 1024x768 photo in process, median of ${ROUNDS} rounds (ms; ratios to the baseline)`);
for (const [name, rs] of results) {
  console.log(
    `  ${name.padEnd(14)} fixed ${ms(rs, 'fixedMs')} (read ${ms(rs, 'readMs')}, model ${ms(rs, 'loadMs')},` +
      ` programs ${ms(rs, 'programsMs')}, first steps +${ms(rs, 'firstStepsExcessMs')}, write ${ms(rs, 'writeMs')})` +
      `  steps ${ms(rs, 'stepsMs')}  total ${ms(rs, 'totalMs')}` +
      `  ratios: fixed ${ratio(rs, 'fixedMs')} steps ${ratio(rs, 'stepsMs')} total ${ratio(rs, 'totalMs')}`,
  );
  console.log(
    `  ${''.padEnd(14)} CPU time: fixed ${ms(rs, 'fixedCpuMs')} (model ${ms(rs, 'loadCpuMs')}, programs ${ms(rs, 'programsCpuMs')})` +
      `  ratios: fixed ${ratio(rs, 'fixedCpuMs')} programs ${ratio(rs, 'programsCpuMs')}`,
  );
}
