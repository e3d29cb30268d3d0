/**
 * Fixed costs of the default dream of a 1024x768 photo: everything but its gradient steps at
 * steady speed (model load, image IO, each octave's session creation and the excess of its first
 * runs). One in-process dream per variant, variants alternated round by round; prints medians
 * and ratios against the baseline of the same run. BENCH_ROUNDS (default 5).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Runtime, RuntimeSession } from '../../src/core/engine/runtime.js';
import { dreamImage } from '../../src/core/dream/dream-image.js';
import { modelBackend } from '../../src/core/dream/model-backend.js';
import { loadModel } from '../../src/node/models/index.js';
import { readImage, writeImage } from '../../src/node/image/index.js';
import { nodeRuntime } from '../../src/node/runtime/ort.js';
import { median } from '../common.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface SessionTimes {
  createMs: number;
  runs: number[];
}

/** The runtime, timing each session's creation and runs. */
function timedRuntime(inner: Runtime, log: SessionTimes[]): Runtime {
  return {
    ...inner,
    async createSession(model, options) {
      const start = performance.now();
      const session = await inner.createSession(model, options);
      const times: SessionTimes = { createMs: performance.now() - start, runs: [] };
      log.push(times);
      const timed: RuntimeSession = {
        async run(feeds) {
          const t = performance.now();
          const out = await session.run(feeds);
          times.runs.push(performance.now() - t);
          return out;
        },
        release: () => session.release(),
      };
      return timed;
    },
  };
}

interface Breakdown {
  totalMs: number;
  loadMs: number;
  ioMs: number;
  sessionsMs: number;
  firstRunsExcessMs: number;
  fixedMs: number;
}

async function oneDream(photo: string, out: string, variant: Variant): Promise<Breakdown> {
  const log: SessionTimes[] = [];
  const start = performance.now();
  const { image } = await readImage(photo);
  const afterRead = performance.now();
  const model = await loadModel('inception_v3');
  const afterLoad = performance.now();
  const backend = modelBackend(model, timedRuntime(nodeRuntime, log), variant.backend ?? {});
  const result = await dreamImage(image, variant.options ?? {}, backend, {}, { releaseSessions: true });
  await backend.release();
  const beforeWrite = performance.now();
  await writeImage(out, result);
  const end = performance.now();
  let steady = 0;
  let excess = 0;
  for (const { runs } of log) {
    // A session's steady run: the median of its runs after the first step's tiles.
    const tiles = runs.length / 10;
    const later = median(runs.slice(tiles));
    steady += later * runs.length;
    excess += runs.slice(0, tiles).reduce((a, b) => a + b, 0) - later * tiles;
  }
  const sessionsMs = log.reduce((a, s) => a + s.createMs, 0);
  const totalMs = end - start;
  return {
    totalMs,
    loadMs: afterLoad - afterRead,
    ioMs: afterRead - start + (end - beforeWrite),
    sessionsMs,
    firstRunsExcessMs: excess,
    fixedMs: totalMs - steady,
  };
}

interface Variant {
  name: string;
  options?: Record<string, unknown>;
  backend?: Record<string, unknown>;
}

const variants: Variant[] = [{ name: 'baseline' }];

const photo = join(tmpdir(), 'fixed-costs-1024x768.png');
await sharp(join(ROOT, 'examples', 'cat.jpg'))
  .resize(1024, 768, { fit: 'cover' })
  .png()
  .toFile(photo);
const results = new Map<string, Breakdown[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of variants) {
    results.get(variant.name)!.push(await oneDream(photo, join(tmpdir(), `fixed-costs-${variant.name}.png`), variant));
  }
}
const base = results.get('baseline')!;
const med = (rs: Breakdown[], key: keyof Breakdown) => median(rs.map((r) => r[key]));
console.log(`fixed costs of the default 1024x768 dream, in-process, median of ${ROUNDS} (ms)`);
for (const [name, rs] of results) {
  const ratio = median(rs.map((r, i) => r.fixedMs / base[i]!.fixedMs));
  const totalRatio = median(rs.map((r, i) => r.totalMs / base[i]!.totalMs));
  console.log(
    `  ${name.padEnd(12)} total ${med(rs, 'totalMs').toFixed(0)}  fixed ${med(rs, 'fixedMs').toFixed(0)}` +
      ` (load ${med(rs, 'loadMs').toFixed(0)}, io ${med(rs, 'ioMs').toFixed(0)}, sessions ${med(rs, 'sessionsMs').toFixed(0)},` +
      ` first runs +${med(rs, 'firstRunsExcessMs').toFixed(0)})  fixed ratio ${ratio.toFixed(2)}  total ratio ${totalRatio.toFixed(2)}`,
  );
}
