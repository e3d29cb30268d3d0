/**
 * The dream algorithm: gradient ascent on the image, octave by octave, with the detail dreamed at
 * each octave carried up to the next (Google's original notebook). Gradients come from a
 * DreamBackend the host provides.
 */
import { createRgbImage, type RgbImage } from '../image/rgb.js';
import type { Objective } from '../autodiff/objective.js';
import type { DreamBackend } from './backend.js';
import { gaussianBlur } from './blur.js';
import { dreamObjective, guideInputs } from './objective.js';
import { normalizeGradient } from './normalize.js';
import { octaveSizes, workingSize, type Size } from './octaves.js';
import {
  resolveDreamOptions,
  type DreamLayer,
  type DreamOptions,
  type DreamOptionsInput,
  type DreamProgress,
} from './options.js';
import { createRandom } from './random.js';
import { resizeImage } from './resize.js';
import type { TileShape } from '../engine/gradient-session.js';
import { drawRoll, tileShapeFor, tiledGradient } from './tiles.js';
import { dreamFourier } from '../visualize/dream-fourier.js';

export interface DreamControl {
  onProgress?: (progress: DreamProgress) => void;
  /** Aborting rejects the dream with the signal's reason (an AbortError) before the next tile. */
  signal?: AbortSignal;
  /**
   * Called after each octave but the last (whose image is the result) with the dream so far, at
   * that octave's size and numbered from 1; the image is a copy, the callee's to keep. The copy is
   * made only when this is set.
   */
  onOctave?: (image: RgbImage, octave: number) => void;
}

/** How dreamImage may treat its backend. */
export interface BackendUse {
  /**
   * The backend serves this dream alone: release its sessions as soon as the next octave needs
   * another tile shape (its memory is then reused, not kept for later dreams). Default false.
   */
  releaseSessions?: boolean;
}

/**
 * Dreams `image` with the gradients of `backend`, which the caller keeps and releases. The image
 * and options are checked before any work (see checkDreamInput); progress and aborting go
 * through `control`.
 */
export async function dreamImage(
  image: RgbImage,
  input: DreamOptionsInput,
  backend: DreamBackend,
  control: DreamControl = {},
  { releaseSessions = false }: BackendUse = {},
): Promise<RgbImage> {
  const options = checkDreamInput(image, input);
  control.signal?.throwIfAborted();
  return runDream(image, options, backend, control, releaseSessions);
}

/**
 * The resolved options for this image (an octave count left unset follows its size), once the
 * image and the options are valid; throws a one-line error otherwise.
 */
export function checkDreamInput(image: RgbImage, input: DreamOptionsInput): DreamOptions {
  checkImage(image);
  return resolveDreamOptions(input, image);
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
  releaseSessions: boolean,
): Promise<RgbImage> {
  const { objective, layers, fixedInput } = chooseObjective(options, backend);
  const extraInputs = options.guide && (await guideInputs(backend, layers, options.guide, options.tileSize));
  // A fixed-size classifier needs at least its input size; smaller octaves are enlarged to it.
  const minSide = fixedInput ? Math.max(fixedInput.height, fixedInput.width) : backend.minInputSize;
  const work = workingSize(image.width, image.height, minSide);
  const source =
    work.width === image.width && work.height === image.height ? image : resizeImage(image, work.width, work.height);
  if (options.param === 'fourier') {
    const dreamed = await dreamFourier(source, objective, extraInputs, options, backend, control);
    return source === image ? dreamed : resizeImage(dreamed, image.width, image.height);
  }
  const smallestOctave = fixedInput ? 1 : backend.minInputSize;
  const sizes = octaveSizes(work.width, work.height, options.octaves, options.octaveScale, smallestOctave);
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
    const seen = fixedInput ? enlargedToFit(size, fixedInput) : size;
    const tile = fixedInput ?? tileShapeFor(seen.width, seen.height, options.tileSize);
    const session = await backend.gradientSession(objective, tile);
    const gradient = createRgbImage(size.width, size.height, gradientStore.subarray(0, size.width * size.height * 3));
    const seenGradient = seen === size ? gradient : createRgbImage(seen.width, seen.height);
    for (let step = 1; step <= options.steps; step++) {
      control.signal?.throwIfAborted();
      const roll = drawRoll(random, seen.width, seen.height, tile, options.jitter);
      const input = seen === size ? dreamed : resizeImage(dreamed, seen.width, seen.height);
      await tiledGradient(input, session, roll, seenGradient.data, extraInputs, control.signal);
      if (seenGradient !== gradient) gradient.data.set(resizeImage(seenGradient, size.width, size.height).data);
      normalizeGradient(gradient, options.normalization);
      ascend(dreamed.data, gradient.data, options.stepSize);
      if (options.blur > 0) dreamed = gaussianBlur(dreamed, options.blur);
      progress(index, step);
    }
    if (last) break;
    control.onOctave?.(createRgbImage(size.width, size.height, dreamed.data.slice()), index + 1);
    detail = subtractInto(dreamed, base);
    const next = sizes[index + 1]!;
    const nextTile = fixedInput ?? tileShapeFor(next.width, next.height, options.tileSize);
    if (releaseSessions && (nextTile.width !== tile.width || nextTile.height !== tile.height)) await backend.release();
  }
  // Shrinking averages valid pixels, so the result stays within 0..255.
  return source === image ? dreamed : resizeImage(dreamed, image.width, image.height);
}

/** Layer terms (amplify activations, or follow a guide) or, with `class`, the class logit. */
function chooseObjective(
  options: DreamOptions,
  backend: DreamBackend,
): { objective: Objective; layers: DreamLayer[]; fixedInput?: TileShape } {
  if (options.class !== undefined) {
    if (!backend.resolveClass) throw new Error('this dream backend cannot visualize classes');
    return { ...backend.resolveClass(options.class), layers: [] };
  }
  const layers = backend.resolveLayers(options.layers, options.channels);
  return { objective: dreamObjective(layers, options.channels, options.guide !== undefined), layers };
}

/** `size` itself when it holds the network's input, else enlarged (aspect kept) until it does. */
function enlargedToFit(size: Size, input: TileShape): Size {
  const factor = Math.max(input.width / size.width, input.height / size.height);
  if (factor <= 1) return size;
  return {
    width: Math.max(input.width, Math.round(size.width * factor)),
    height: Math.max(input.height, Math.round(size.height * factor)),
  };
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
