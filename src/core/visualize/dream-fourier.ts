/**
 * A dream held in the Fourier parameterization (DreamOptions.param 'fourier'): the image becomes a
 * FourierImage starting from the input, and Adam climbs the dream's objective through a random
 * shift, scale and rotation each step, as feature visualizations do. One scale only (no octaves:
 * the spectrum already moves large shapes as readily as fine ones), so the step count is
 * `steps` x `octaves`, the work of an ordinary dream; `stepSize` sets Adam's rate;
 * `normalization` and `blur` have no part in it.
 */
import type { Objective } from '../autodiff/objective.js';
import type { DreamBackend } from '../dream/backend.js';
import type { DreamOptions, DreamProgress } from '../dream/options.js';
import { createRandom } from '../dream/random.js';
import { drawRoll, tileShapeFor, tiledGradient, type ExtraInputs } from '../dream/tiles.js';
import { fromPlanar, toPlanar } from '../image/planar.js';
import { createRgbImage, type RgbImage } from '../image/rgb.js';
import { Adam } from './adam.js';
import { FourierImage } from './fourier-image.js';
import { DEFAULT_TRANSFORMS } from './settings.js';
import { Resampling } from './transform.js';

/**
 * Adam's rate per unit of stepSize: the default 1.5 gives 0.03, gentler than an atlas's (whole
 * images from noise saturate at its rate).
 */
const RATE_PER_STEP_SIZE = 0.02;

export interface FourierDreamControl {
  onProgress?: (progress: DreamProgress) => void;
  signal?: AbortSignal;
}

export async function dreamFourier(
  image: RgbImage,
  objective: Objective,
  extraInputs: ExtraInputs | undefined,
  options: DreamOptions,
  backend: DreamBackend,
  control: FourierDreamControl = {},
): Promise<RgbImage> {
  const { width, height } = image;
  const fourier = new FourierImage(width, height);
  const params = fourier.parametersOf(toPlanar(image));
  const adam = new Adam(fourier.size, RATE_PER_STEP_SIZE * options.stepSize);
  const random = createRandom(options.seed);
  const tile = tileShapeFor(width, height, options.tileSize);
  const session = await backend.gradientSession(objective, tile);
  const ranges = { ...DEFAULT_TRANSFORMS, jitter: options.jitter };
  const steps = options.steps * options.octaves;
  const plane = width * height;
  const pixels = new Float32Array(3 * plane);
  const seen = new Float32Array(3 * plane);
  const seenImage = createRgbImage(width, height);
  const gradient = new Float32Array(3 * plane);
  const pixelGradient = new Float32Array(3 * plane);
  const paramGradient = new Float32Array(fourier.size);
  const started = performance.now();
  for (let step = 1; step <= steps; step++) {
    control.signal?.throwIfAborted();
    fourier.render(params, pixels);
    const resampling = Resampling.draw(random, width, height, ranges);
    resampling.apply(pixels, seen);
    // Rolls only move the seams of several tiles: the transform already shifts the image.
    const roll = drawRoll(random, width, height, tile, 0);
    await tiledGradient(
      fromPlanar(seen, width, height, seenImage),
      session,
      roll,
      gradient,
      extraInputs,
      control.signal,
    );
    resampling.adjoint(toPlanar(createRgbImage(width, height, gradient)), pixelGradient);
    fourier.backward(pixels, pixelGradient, paramGradient);
    adam.ascend(params, paramGradient);
    const fraction = step / steps;
    const elapsed = (performance.now() - started) / 1000;
    control.onProgress?.({
      octave: 1,
      octaves: 1,
      step,
      steps,
      fraction,
      etaSeconds: (elapsed * (1 - fraction)) / fraction,
    });
  }
  fourier.render(params, pixels);
  return fromPlanar(pixels, width, height);
}
