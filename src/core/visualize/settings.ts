/**
 * The settings of a feature visualization: defaults, chosen by looking at InceptionV3 grids and
 * timing them on two cores, and validation in the options vocabulary.
 */
import { checkInteger, checkNumber, definedOnly, OptionError } from '../options/checks.js';
import type { TransformRanges } from './transform.js';
import type { VisualizeOptions } from './visualize.js';

export interface VisualizeSettings extends VisualizeOptions {
  /** Side of the square images, in pixels. */
  size: number;
  /** Images optimised together in one ONNX Runtime run. */
  batch: number;
}

export type VisualizeSettingsInput = Partial<Omit<VisualizeSettings, 'transforms'>> & {
  transforms?: Partial<TransformRanges>;
};

export const DEFAULT_TRANSFORMS: Readonly<TransformRanges> = { jitter: 12, scale: 0.1, rotate: 10 };

export const DEFAULT_VISUALIZE_SETTINGS: Readonly<VisualizeSettings> = {
  size: 128,
  steps: 48,
  learningRate: 0.08,
  redirectSteps: 12,
  transforms: DEFAULT_TRANSFORMS,
  seed: 0,
  batch: 8,
};

const KEYS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_VISUALIZE_SETTINGS));

/** Defaults under the caller's values, every value checked; throws an OptionError for the first bad one. */
export function resolveVisualizeSettings(input: VisualizeSettingsInput = {}): VisualizeSettings {
  for (const key of Object.keys(input)) if (!KEYS.has(key)) throw new OptionError(key, 'is not a visualization option');
  const { transforms, ...values } = input;
  const s: VisualizeSettings = {
    ...DEFAULT_VISUALIZE_SETTINGS,
    ...definedOnly(values),
    transforms: { ...DEFAULT_TRANSFORMS, ...definedOnly(transforms ?? {}) },
  };
  checkInteger('size', s.size, { min: 8, max: 1024 });
  checkInteger('steps', s.steps, { min: 1, max: 10000 });
  checkNumber('learningRate', s.learningRate, { over: 0, max: 10 });
  checkInteger('redirectSteps', s.redirectSteps, { min: 0 });
  checkInteger('seed', s.seed, { min: 0, max: 0xffffffff });
  checkInteger('batch', s.batch, { min: 1, max: 64 });
  checkNumber('transforms.jitter', s.transforms.jitter, { min: 0, max: s.size });
  checkNumber('transforms.scale', s.transforms.scale, { min: 0, under: 1 });
  checkNumber('transforms.rotate', s.transforms.rotate, { min: 0, max: 180 });
  return s;
}

export type ImageSettings = Omit<VisualizeSettings, 'batch'>;

/** What an image depends on: all but the batch, which only sets how many are made at once. */
export function imageSettings({
  size,
  steps,
  learningRate,
  redirectSteps,
  transforms,
  seed,
}: VisualizeSettings): ImageSettings {
  return { size, steps, learningRate, redirectSteps, transforms, seed };
}
