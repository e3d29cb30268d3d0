/** What the benchmarks share: timing, medians, and finding the PyTorch peer. */
import { execFileSync } from 'node:child_process';
import type { GradOptions } from '../src/core/autodiff/gradient-model.js';

/** Debian's PyTorch (python3-torch): the `python3` on PATH may lack it. */
export const TORCH_PYTHON = '/usr/bin/python3';

export const torchAvailable: boolean = (() => {
  try {
    execFileSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall time of an async action over `runs` timed runs after `warmups` untimed ones. */
export async function medianMs(action: () => Promise<unknown>, runs: number, warmups: number): Promise<number> {
  for (let i = 0; i < warmups; i++) await action();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Command-line options of the tools that time one gradient session (engine-step.ts, profile.ts). */
export const SESSION_OPTIONS = {
  model: { type: 'string', default: 'inception_v3' },
  layer: { type: 'string', default: 'mixed5' },
  size: { type: 'string', default: '512' },
  threads: { type: 'string', default: '2' },
  /** GradOptions.maxPoolBackward: indices or indicesFree. */
  'max-pool-backward': { type: 'string', default: 'indices' },
} as const;

/** The gradient options those command-line options choose. */
export function gradOptionsOf(values: { 'max-pool-backward': string }): GradOptions {
  const maxPoolBackward = values['max-pool-backward'];
  if (maxPoolBackward !== 'indices' && maxPoolBackward !== 'indicesFree')
    throw new Error(`--max-pool-backward must be indices or indicesFree, got ${maxPoolBackward}`);
  return { maxPoolBackward };
}
