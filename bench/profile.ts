/**
 * Where a gradient step's time goes, from ONNX Runtime's own profiler:
 *   node --import tsx bench/profile.ts --model inception_v3 --layer mixed5 --size 512 --threads 2 [--nodes Scatter,MaxPool]
 * Runs one session `--runs` times in a row (consecutive runs: interleaving sessions evicts each
 * other's weights from the cache and distorts the figures) and prints kernel time per op type over
 * the last runs, plus the slowest nodes whose op type matches one of `--nodes`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGradientSession } from '../src/node/runtime/engine.js';
import { loadModel } from '../src/node/models/index.js';
import { gradOptionsOf, SESSION_OPTIONS } from './common.js';

const { values } = parseArgs({
  options: {
    ...SESSION_OPTIONS,
    runs: { type: 'string', default: '6' },
    nodes: { type: 'string', default: '' },
  },
});
const size = Number(values.size);
const runs = Number(values.runs);
/** The first run allocates the session's memory: only the runs after it are counted. */
const counted = runs - 1;

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  ts: number;
  args?: { op_name?: string };
}

const dir = mkdtempSync(join(tmpdir(), 'ort-profile-'));
try {
  const model = await loadModel(values.model);
  const session = await createGradientSession(
    model,
    { terms: [{ kind: 'layer', layer: values.layer, weight: 1, reduce: 'meanSquare' }] },
    { height: size, width: size },
    { threads: Number(values.threads), profileFile: join(dir, 'profile'), gradient: gradOptionsOf(values) },
  );
  const pixels = Float32Array.from({ length: 3 * size * size }, (_, i) => (Math.sin(i * 0.37) * 0.5 + 0.5) * 255);
  for (let r = 0; r < runs; r++) await session.run(pixels);
  await session.release(); // ends profiling: ORT writes the file
  const [file] = readdirSync(dir);
  const events = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as ProfileEvent[];
  const runEvents = events.filter((e) => e.name === 'model_run').slice(-counted);
  const from = runEvents[0]!.ts;
  const kernels = events.filter((e) => e.cat === 'Node' && e.ts >= from && e.name.endsWith('_kernel_time'));
  const perRun = (us: number): number => us / 1000 / counted;
  const total = perRun(kernels.reduce((sum, e) => sum + e.dur, 0));
  const byOp = new Map<string, number>();
  for (const e of kernels) byOp.set(e.args?.op_name ?? '?', (byOp.get(e.args?.op_name ?? '?') ?? 0) + e.dur);
  const runMs = perRun(runEvents.reduce((sum, e) => sum + e.dur, 0));
  console.log(
    `${values.model} ${values.layer} ${size}x${size}, ${values.threads} threads: run ${runMs.toFixed(1)} ms, kernels ${total.toFixed(1)} ms`,
  );
  for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1])) {
    const ms = perRun(us);
    if (ms >= 0.05)
      console.log(`  ${op.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%`);
  }
  const wanted = values.nodes.split(',').filter((n) => n !== '');
  if (wanted.length > 0) {
    const byNode = new Map<string, number>();
    for (const e of kernels.filter((k) => wanted.some((w) => (k.args?.op_name ?? '').includes(w)))) {
      const node = e.name.replace(/_kernel_time$/, '');
      byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
    }
    console.log(`slowest ${wanted.join('/')} nodes:`);
    for (const [node, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${node.padEnd(48)} ${perRun(us).toFixed(2).padStart(7)} ms`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
