/**
 * The engine on each device given (`node --import tsx bench/device.ts cpu cuda webgpu`), against
 * the CPU in the same run: the default dream of a 1024x768 photo by the CLI as whole processes
 * (median of BENCH_ROUNDS, default 5, devices alternated), and the parity of each device's
 * gradient with the CPU's (InceptionV3 `mixed4`, one 512x384 tile): relative L2 at most 1e-3.
 * A device that does not work here is reported and skipped (all of them: nothing is timed). Exits 1 when a parity check fails.
 * scripts/gpu-check.sh runs it on a machine with a GPU.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Objective } from '../src/core/autodiff/objective.js';
import { loadModel } from '../src/node/models/index.js';
import { checkDevice, probeDevice, type OrtDevice } from '../src/node/runtime/device.js';
import { createGradientSession } from '../src/node/runtime/engine.js';
import { randomNormal } from '../test/core/autodiff/harness.js';
import { relativeL2 } from '../test/support/compare.js';
import { median } from './common.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PARITY_LIMIT = 1e-3;
const GPU_TARGET_S = 2;

const asked = (process.argv.length > 2 ? process.argv.slice(2) : ['cpu', 'cuda', 'webgpu']).map(checkDevice);
const devices: OrtDevice[] = ['cpu'];
for (const device of asked) {
  if (device === 'auto' || device === 'cpu') continue;
  const failure = await probeDevice(device);
  if (failure === undefined) devices.push(device);
  else console.log(`${device}: does not work here (${failure}); skipped`);
}

/** d mean(mixed4^2)/d image on one tile of fixed pseudo-random pixels. */
async function gradientOn(device: OrtDevice): Promise<Float32Array> {
  const model = await loadModel('inception_v3');
  const objective: Objective = { terms: [{ kind: 'layer', layer: 'mixed4', weight: 1, reduce: 'meanSquare' }] };
  const tile = { height: 384, width: 512 };
  const session = await createGradientSession(model, objective, tile, { device });
  const image = randomNormal(3 * tile.height * tile.width, 7).map((v) => 128 + 40 * v);
  try {
    return (await session.run(image)).gradient;
  } finally {
    await session.release();
  }
}

if (devices.length === 1) {
  console.log('no GPU device works here: nothing to compare with the CPU');
  process.exit(0);
}

let failed = false;
const reference = await gradientOn('cpu');
for (const device of devices.slice(1)) {
  const error = relativeL2(await gradientOn(device), reference);
  const verdict = error <= PARITY_LIMIT ? 'ok' : 'FAILED';
  console.log(`${device}: gradient vs cpu, relative L2 ${error.toExponential(2)} (limit ${PARITY_LIMIT}) ${verdict}`);
  failed ||= error > PARITY_LIMIT;
}

const dir = mkdtempSync(join(tmpdir(), 'device-bench-'));
try {
  const photo = join(dir, 'photo-1024x768.png');
  await sharp(join(ROOT, 'examples', 'cat.jpg'))
    .resize(1024, 768, { fit: 'cover' })
    .png()
    .toFile(photo);
  const seconds = new Map<OrtDevice, number[]>(devices.map((d) => [d, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const device of devices) {
      const start = performance.now();
      const args = ['bin/deepdream.js', photo, '-o', join(dir, `${device}.png`), '--quiet', '--device', device];
      const run = spawnSync('node', args, { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`deepdream --device ${device} failed:\n${run.stderr}`);
      seconds.get(device)!.push((performance.now() - start) / 1000);
    }
  }
  const cpu = seconds.get('cpu')!;
  console.log(`default dream of a 1024x768 photo, CLI processes, median of ${ROUNDS}`);
  for (const [device, times] of seconds) {
    const ratio = median(times.map((t, i) => t / cpu[i]!));
    const target =
      device === 'cpu' ? '' : `  (target under ${GPU_TARGET_S} s: ${median(times) < GPU_TARGET_S ? 'met' : 'missed'})`;
    console.log(`  ${device.padEnd(7)} ${median(times).toFixed(2)} s  ratio to cpu ${ratio.toFixed(2)}${target}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
