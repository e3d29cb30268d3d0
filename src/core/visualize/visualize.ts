/**
 * Feature visualization: optimise an image, held as a FourierImage, so that a network's layer
 * responds to it as the objective asks, with Adam and a random transform each step. Images are
 * made a batch at a time by one FeatureProgram; each has its own random stream, drawn from the
 * seed and its objective, so an image does not depend on which batch it was made in.
 */
import { fromPlanar } from '../image/planar.js';
import type { RgbImage } from '../image/rgb.js';
import { createRandom } from '../dream/random.js';
import { Adam } from './adam.js';
import { FourierImage } from './fourier-image.js';
import { channelWeights, describeObjective, type FeatureObjective } from './objective.js';
import type { FeatureProgram } from './program.js';
import { Resampling, type TransformRanges } from './transform.js';

/** Changes whenever the same settings would make different images: caches key on it. */
export const VISUALIZE_VERSION = 1;

export interface VisualizeOptions {
  /** Optimisation steps per image. */
  steps: number;
  /** Adam's step size, in the Fourier parameters' units. */
  learningRate: number;
  /** Steps at the start whose gradient passes the layer's ReLU everywhere (see FeatureProgram). */
  redirectSteps: number;
  transforms: TransformRanges;
  seed: number;
}

export interface VisualizeProgress {
  /** Images finished, of `total`. */
  done: number;
  total: number;
  /** Steps done on the batch in progress, of `steps`. */
  step: number;
  steps: number;
}

export interface VisualizeControl {
  onProgress?: (progress: VisualizeProgress) => void;
  /** Aborting rejects with the signal's reason before the next step. */
  signal?: AbortSignal;
}

/** One image being optimised. */
interface Job {
  params: Float32Array;
  adam: Adam;
  random: () => number;
  pixels: Float32Array;
  resampling?: Resampling;
}

/** The visualization of each objective (all on the program's layer and reduction), in order. */
export async function visualize(
  objectives: readonly FeatureObjective[],
  program: FeatureProgram,
  options: VisualizeOptions,
  control: VisualizeControl = {},
): Promise<RgbImage[]> {
  for (const o of objectives) {
    if (o.layer !== program.layer || o.reduce !== program.reduce)
      throw new Error(
        `visualize: objective ${describeObjective(o)} is not on the program's layer ${program.layer} (${program.reduce})`,
      );
  }
  const images: RgbImage[] = [];
  for (let start = 0; start < objectives.length; start += program.batch) {
    const batch = objectives.slice(start, start + program.batch);
    const report = (step: number) =>
      control.onProgress?.({ done: start, total: objectives.length, step, steps: options.steps });
    images.push(...(await visualizeBatch(batch, program, options, report, control.signal)));
  }
  control.onProgress?.({ done: objectives.length, total: objectives.length, step: 0, steps: options.steps });
  return images;
}

async function visualizeBatch(
  objectives: readonly FeatureObjective[],
  program: FeatureProgram,
  options: VisualizeOptions,
  report: (step: number) => void,
  signal: AbortSignal | undefined,
): Promise<RgbImage[]> {
  const { size, batch, channels, positions } = program;
  const plane = 3 * size * size;
  const fourier = new FourierImage(size, size);
  // Slots past the objectives (a last, partial batch) have zero weights: no gradient, no work kept.
  const weights = new Float32Array(batch * channels);
  objectives.forEach((o, n) => weights.set(channelWeights(o, channels, positions), n * channels));
  const jobs: Job[] = objectives.map((o) => {
    const random = createRandom(seedOf(options.seed, describeObjective(o)));
    return {
      params: fourier.initialParameters(random),
      adam: new Adam(fourier.size, options.learningRate),
      random,
      pixels: new Float32Array(plane),
    };
  });
  const inputs = new Float32Array(batch * plane);
  const pixelGradient = new Float32Array(plane);
  const paramGradient = new Float32Array(fourier.size);
  for (let step = 1; step <= options.steps; step++) {
    signal?.throwIfAborted();
    jobs.forEach((job, n) => {
      fourier.render(job.params, job.pixels);
      job.resampling = Resampling.draw(job.random, size, size, options.transforms);
      job.resampling.apply(job.pixels, inputs, n * plane);
    });
    const gradient = await program.gradient(inputs, weights, step <= options.redirectSteps);
    jobs.forEach((job, n) => {
      job.resampling!.adjoint(gradient, pixelGradient, n * plane);
      fourier.backward(job.pixels, pixelGradient, paramGradient);
      job.adam.ascend(job.params, paramGradient);
    });
    report(step);
  }
  return jobs.map((job) => {
    fourier.render(job.params, job.pixels);
    return fromPlanar(job.pixels, size, size);
  });
}

/** A 32-bit seed from the run's seed and a name (FNV-1a over both). */
export function seedOf(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
