/**
 * DeepDream on the calling thread: gradient ascent on the image, octave by octave, with the
 * detail dreamed at each octave carried up to the next (Google's original notebook).
 */
import { createRgbImage, type RgbImage } from '../image/rgb.js';
import type { DreamBackend } from './backend.js';
import { dreamObjective, guideInputs } from './objective.js';
import { normalizeGradient } from './normalize.js';
import { octaveSizes, workingSize, type Size } from './octaves.js';
import { resolveDreamOptions, type DreamOptions, type DreamOptionsInput, type DreamProgress } from './options.js';
import { createRandom } from './random.js';
import { resizeImage } from './resize.js';
import { drawRoll, tileShapeFor, tiledGradient } from './tiles.js';

export interface DreamControl {
  onProgress?: (progress: DreamProgress) => void;
  /** Aborting rejects the dream with the signal's reason (an AbortError) before the next tile. */
  signal?: AbortSignal;
}

export interface DreamDeps {
  /**
   * Where gradients come from; the caller keeps ownership (sessions can be reused across calls,
   * e.g. video frames). Default: the engine with `options.model`, released when the dream ends.
   */
  backend?: DreamBackend;
  /** ORT intra-op threads of the default backend (default 2). An execution setting, not part of the recipe. */
  threads?: number;
}

export async function dreamInProcess(
  image: RgbImage,
  input: DreamOptionsInput,
  control: DreamControl = {},
  deps: DreamDeps = {},
): Promise<RgbImage> {
  checkImage(image);
  const options = resolveDreamOptions(input);
  control.signal?.throwIfAborted();
  const backend = deps.backend ?? (await createDefaultBackend(options.model, deps.threads));
  try {
    return await runDream(image, options, backend, control, !deps.backend);
  } finally {
    if (!deps.backend) await backend.release();
  }
}

async function createDefaultBackend(model: string, threads: number | undefined): Promise<DreamBackend> {
  const { createModelBackend } = await import('./model-backend.js');
  return createModelBackend(model, threads === undefined ? {} : { threads });
}

function checkImage(image: RgbImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`image size must be positive integers (got ${String(width)}x${String(height)})`);
  }
  if (!(data instanceof Float32Array) || data.length !== width * height * 3) {
    throw new Error(`image data must be float32 RGB of length ${width * height * 3}`);
  }
}

async function runDream(
  image: RgbImage,
  options: DreamOptions,
  backend: DreamBackend,
  control: DreamControl,
  ownsBackend: boolean,
): Promise<RgbImage> {
  const layers = backend.resolveLayers(options.layers, options.channels);
  const objective = dreamObjective(layers, options.channels, options.guide !== undefined);
  const extraInputs = options.guide && (await guideInputs(backend, layers, options.guide, options.tileSize));
  const work = workingSize(image.width, image.height, backend.minInputSize);
  const source =
    work.width === image.width && work.height === image.height ? image : resizeImage(image, work.width, work.height);
  const sizes = octaveSizes(work.width, work.height, options.octaves, options.octaveScale, backend.minInputSize);
  const progress = progressReporter(sizes, options.steps, control.onProgress);
  const random = createRandom(options.seed);
  // One gradient buffer for all octaves (each uses a prefix): no octave-sized garbage piles up.
  const gradientStore = new Float32Array(work.width * work.height * 3);

  let detail: RgbImage | undefined;
  let dreamed = source;
  for (const [index, size] of sizes.entries()) {
    const last = index === sizes.length - 1;
    const base = last ? source : resizeImage(source, size.width, size.height);
    dreamed = detail
      ? addInto(resizeImage(detail, size.width, size.height), base)
      : createRgbImage(size.width, size.height, base.data.slice());
    detail = undefined;
    const tile = tileShapeFor(size.width, size.height, options.tileSize);
    const session = await backend.gradientSession(objective, tile);
    const gradient = createRgbImage(size.width, size.height, gradientStore.subarray(0, size.width * size.height * 3));
    for (let step = 1; step <= options.steps; step++) {
      control.signal?.throwIfAborted();
      const roll = drawRoll(random, size.width, size.height, tile, options.jitter);
      await tiledGradient(dreamed, session, roll, gradient.data, extraInputs, control.signal);
      normalizeGradient(gradient, options.normalization);
      ascend(dreamed.data, gradient.data, options.stepSize);
      progress(index, step);
    }
    if (last) break;
    detail = subtractInto(dreamed, base);
    // A backend of our own serves only this dream: free sessions whose tile shape is done with.
    const next = sizes[index + 1]!;
    const nextTile = tileShapeFor(next.width, next.height, options.tileSize);
    if (ownsBackend && (nextTile.width !== tile.width || nextTile.height !== tile.height)) await backend.release();
  }
  // Shrinking averages valid pixels, so the result stays within 0..255.
  return source === image ? dreamed : resizeImage(dreamed, image.width, image.height);
}

/** image += stepSize * gradient, kept within valid pixel values. */
function ascend(image: Float32Array, gradient: Float32Array, stepSize: number): void {
  for (let i = 0; i < image.length; i++) {
    const v = image[i]! + stepSize * gradient[i]!;
    image[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

function addInto(target: RgbImage, other: RgbImage): RgbImage {
  for (let i = 0; i < target.data.length; i++) target.data[i] = target.data[i]! + other.data[i]!;
  return target;
}

function subtractInto(target: RgbImage, other: RgbImage): RgbImage {
  for (let i = 0; i < target.data.length; i++) target.data[i] = target.data[i]! - other.data[i]!;
  return target;
}

/** Progress by work done: an octave's steps weigh in proportion to its pixel count. */
function progressReporter(
  sizes: Size[],
  steps: number,
  onProgress: DreamControl['onProgress'],
): (octaveIndex: number, step: number) => void {
  const areas = sizes.map((s) => s.width * s.height);
  const total = areas.reduce((a, b) => a + b, 0) * steps;
  const started = performance.now();
  return (octaveIndex, step) => {
    if (!onProgress) return;
    const before = areas.slice(0, octaveIndex).reduce((a, b) => a + b, 0) * steps;
    const fraction = Math.min(1, (before + areas[octaveIndex]! * step) / total);
    const elapsed = (performance.now() - started) / 1000;
    onProgress({
      octave: octaveIndex + 1,
      octaves: sizes.length,
      step,
      steps,
      fraction,
      etaSeconds: (elapsed * (1 - fraction)) / fraction,
    });
  };
}
