/**
 * The engine benchmark (issue 2): one gradient step (forward to the layer + d mean(act^2)/d image)
 * on a 512x512 tile with 2 threads, for the bundled InceptionV3 at mixed5 and MobileNetV2 at
 * block_10, against Debian's PyTorch on the same weights, measured in the same run and interleaved
 * (this machine is noisy: compare ratios, not absolute times).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, TORCH_PYTHON, torchAvailable } from './common.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** The stated 2-thread AVX-512 FMA peak, used when the peak probe cannot be compiled here. */
const STATED_PEAK_GFLOPS = 385;

interface EngineStep {
  stepMs: number;
  forwardMs: number;
  sessionMs: number;
  firstRunMs: number;
  flops: number;
  peakRssMB: number;
}

function runJson<T>(command: string, args: string[]): T {
  const out = execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

function measurePeak(): { gflops: number; source: string } {
  try {
    const binary = join(mkdtempSync(join(tmpdir(), 'peak-')), 'fma_peak');
    execFileSync('gcc', ['-O3', '-mavx512f', '-fopenmp', 'bench/peak/fma_peak.c', '-o', binary], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    return {
      gflops: runJson<{ gflops: number }>(binary, ['2', '50']).gflops,
      source: 'measured (bench/peak/fma_peak.c)',
    };
  } catch {
    return { gflops: STATED_PEAK_GFLOPS, source: 'stated (shared notes; AVX-512 peak probe unavailable here)' };
  }
}

const cases = [
  { model: 'inception_v3', layer: 'mixed5' },
  { model: 'mobilenet_v2', layer: 'block_10_project_BN' },
];

const peak = measurePeak();
console.log(`fp32 peak, 2 threads: ${peak.gflops.toFixed(0)} GFLOP/s, ${peak.source}`);
if (!torchAvailable)
  console.log(`PyTorch not found at ${TORCH_PYTHON} (apt-get install python3-torch): no ratio printed`);

for (const { model, layer } of cases) {
  const ours: EngineStep[] = [];
  const torch: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    ours.push(
      runJson<EngineStep>('node', [
        '--import',
        'tsx',
        'bench/engine-step.ts',
        '--model',
        model,
        '--layer',
        layer,
        '--size',
        '512',
      ]),
    );
    if (torchAvailable) {
      // PyTorch's best of BatchNorm folded or not (folding helps InceptionV3, slows MobileNetV2 there).
      const args = ['bench/torch/step.py', '--model', model, '--layer', layer, '--size', '512'];
      const folded = runJson<{ ms: number }>(TORCH_PYTHON, args).ms;
      const unfolded = runJson<{ ms: number }>(TORCH_PYTHON, [...args, '--no-fold']).ms;
      torch.push(Math.min(folded, unfolded));
    }
  }
  const stepMs = median(ours.map((o) => o.stepMs));
  const { flops } = ours[0]!;
  // Backward (the input gradient) counted as one more forward.
  const gflops = (2 * flops) / (stepMs * 1e6);
  console.log(`\n${model} ${layer}, 512x512, 2 threads (median of ${ROUNDS} processes x 5 runs)`);
  console.log(
    `  forward ${(flops / 1e9).toFixed(2)} GFLOP; step (forward + input gradient) ${stepMs.toFixed(1)} ms; forward alone ${median(ours.map((o) => o.forwardMs)).toFixed(1)} ms`,
  );
  console.log(
    `  ${gflops.toFixed(0)} GFLOP/s = ${((100 * gflops) / peak.gflops).toFixed(0)}% of peak (backward counted as 1x forward)`,
  );
  console.log(
    `  session build ${median(ours.map((o) => o.sessionMs)).toFixed(0)} ms, first run ${median(ours.map((o) => o.firstRunMs)).toFixed(0)} ms, peak RSS ${Math.max(...ours.map((o) => o.peakRssMB)).toFixed(0)} MB`,
  );
  if (torchAvailable) {
    const torchMs = median(torch);
    console.log(`  PyTorch ${torchMs.toFixed(1)} ms -> Inceptionism is ${(torchMs / stepMs).toFixed(2)}x PyTorch`);
  }
}
