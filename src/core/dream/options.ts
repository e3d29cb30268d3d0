/**
 * Dream options: defaults, named presets and validation. Everything a dream depends on is in
 * `DreamOptions`, so a resolved options object (plus the input image) reproduces a dream exactly.
 */
import type { RgbImage } from '../image/rgb.js';
import { depthLayerName } from '../models/depth.js';
import type { Size } from './octaves.js';
import {
  checkInteger,
  checkNumber,
  checkOneOf,
  checkText,
  definedOnly,
  invalid,
  must,
  OptionError,
} from '../options/checks.js';

/** How each gradient is scaled before the ascent step (see dream/normalize.ts). */
export type Normalization = 'meanAbs' | 'std' | 'laplacian';

export const NORMALIZATIONS: readonly Normalization[] = ['meanAbs', 'std', 'laplacian'];

export interface DreamLayer {
  /** Layer (activation tensor) name as listed by the model's `layers`. */
  name: string;
  /** Relative weight of this layer's term in the objective. */
  weight: number;
}

export interface DreamOptions {
  /** Bundled model name (see node/models). */
  model: string;
  /** Layers whose activations the dream amplifies. Empty: the model's default layer, weight 1. */
  layers: DreamLayer[];
  /**
   * Only these channels of every dreamed layer (mean activation of the channels); absent: all
   * channels (mean square of the activation, as in Google's original notebook).
   */
  channels?: number[];
  /**
   * Number of scales, from a shrunk image up to the full size. Left unset in a layer dream, it
   * follows the image's size (see octavesForSize): the preset's or default count is the one for a
   * 1024-px photo.
   */
  octaves: number;
  /** Size ratio between consecutive octaves. */
  octaveScale: number;
  /** Gradient ascent steps per octave. */
  steps: number;
  /** Pixel change per step (in 0..255 units) for a normalized gradient. */
  stepSize: number;
  normalization: Normalization;
  /** Maximum random roll per step, in pixels; hides tile seams and the network's grid. */
  jitter: number;
  /** Side of the square tiles the gradient is computed on; larger images are tiled. */
  tileSize: number;
  /**
   * Seed of the random rolls. Defaults to 0 so a dream is reproducible by default: the same image,
   * options and seed give the same output bytes on the same machine. Change it for variations.
   */
  seed: number;
  /**
   * Guided dreaming: instead of amplifying whatever the layers see, steer each position towards
   * the most similar feature of this image at the same layers.
   */
  guide?: RgbImage;
  /**
   * Class visualization: maximise this class's logit (a label name or class number of a model
   * with a classifier head) instead of layer activations. Cannot be combined with layers,
   * channels, a guide or a preset; brings its own defaults (CLASS_DEFAULTS).
   */
  class?: string;
  /** Gaussian blur (sigma in pixels) applied to the image after every step; 0: none. */
  blur: number;
  /**
   * How the image is held while it is dreamed: 'pixel' (absent: the octave ascent above) or
   * 'fourier', a spectrum in decorrelated colour optimised through random transforms, as feature
   * visualizations are (see core/visualize/dream-fourier.ts).
   */
  param?: ImageParam;
}

export type ImageParam = 'pixel' | 'fourier';

export const IMAGE_PARAMS: readonly ImageParam[] = ['pixel', 'fourier'];

/** What callers pass: any subset of the options, optionally starting from a named preset. */
export type DreamOptionsInput = Partial<DreamOptions> & { preset?: string };

export interface DreamProgress {
  /** 1-based index of the octave being dreamed (smallest first). */
  octave: number;
  octaves: number;
  /** Steps finished in this octave. */
  step: number;
  steps: number;
  /** Share of the whole dream's work done, 0..1 (octaves weighted by their pixel count). */
  fraction: number;
  /** Estimated seconds left, once enough work has been timed. */
  etaSeconds?: number;
}

export const DEFAULT_MODEL = 'inception_v3';

/** Options not set by a preset or the caller. */
export const DEFAULT_OPTIONS: Readonly<Omit<DreamOptions, 'layers' | 'channels' | 'guide' | 'class' | 'param'>> = {
  model: DEFAULT_MODEL,
  octaves: 4,
  octaveScale: 1.4,
  steps: 10,
  stepSize: 1.5,
  normalization: 'meanAbs',
  jitter: 32,
  tileSize: 512,
  seed: 0,
  blur: 0,
};

/**
 * Defaults of class visualization, under the caller's values:
 * starting from noise, the logit is easiest to raise with high-frequency patterns the eye cannot
 * read; Laplacian normalization, per-step blur and jitter favour large, smooth, shift-tolerant
 * shapes instead, and more steps are needed than when a photo already holds structure.
 */
export const CLASS_DEFAULTS: Readonly<Partial<DreamOptions>> = {
  normalization: 'laplacian',
  steps: 20,
  jitter: 16,
  blur: 0.5,
};

export interface DreamPreset {
  description: string;
  /** The look on the default model. */
  options: Partial<Omit<DreamOptions, 'guide'>>;
  /**
   * Where the look's layer lies on any other model, as a share of the way up its dreamable layers
   * (see models/depth.ts); absent: that model's default layer.
   */
  depth?: number;
}

/** Named looks, chosen by dreaming real photos with the default model. */
export const PRESETS: Readonly<Record<string, DreamPreset>> = {
  eyes: {
    description: 'the classic DeepDream look: eyes and swirling creatures everywhere',
    options: { layers: [{ name: 'mixed4', weight: 1 }] },
  },
  textures: {
    description: 'fine woven strokes and patterns from an early layer',
    options: { layers: [{ name: 'mixed1', weight: 1 }], octaves: 3 },
    depth: 1 / 3,
  },
  objects: {
    description: 'larger eye-and-fur shapes from the deepest bundled layer',
    options: { layers: [{ name: 'mixed5', weight: 1 }], octaves: 5 },
    depth: 1,
  },
};

/** Long side, in pixels, of the photo that a preset's (or the default) octave count is meant for. */
export const OCTAVE_REFERENCE_SIDE = 1024;

const MAX_OCTAVES = 12;

/**
 * The octave count for an image whose long side is `side`, given the count for a photo of
 * OCTAVE_REFERENCE_SIDE: one octave more for each factor `octaveScale` the image is larger, one
 * fewer for each it is smaller. The smallest octave, where the largest features are dreamed, then
 * keeps about the same size relative to the picture (within a factor of sqrt(octaveScale)), so a
 * big photo gets larger features instead of a wallpaper of tiny ones.
 */
export function octavesForSize(referenceOctaves: number, octaveScale: number, side: number): number {
  // A bad image size is reported by the image check, not here.
  if (!(side > 0)) return referenceOctaves;
  const steps = Math.round(Math.log(side / OCTAVE_REFERENCE_SIDE) / Math.log(octaveScale));
  return Math.min(MAX_OCTAVES, Math.max(1, referenceOctaves + steps));
}

/** The preset used when neither a preset nor layers are given (with the default model). */
export const DEFAULT_PRESET = 'eyes';

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'preset',
  'model',
  'layers',
  'channels',
  'octaves',
  'octaveScale',
  'steps',
  'stepSize',
  'normalization',
  'jitter',
  'tileSize',
  'seed',
  'guide',
  'class',
  'blur',
  'param',
]);

/**
 * Fills defaults (preset, then caller's values on top) and validates every value, throwing an
 * OptionError with a one-line message for the first bad one. With the `image` to dream, an octave
 * count the caller did not set follows its size (octavesForSize); without, it is the count for a
 * 1024-px photo.
 */
export function resolveDreamOptions(input: DreamOptionsInput = {}, image?: Size): DreamOptions {
  const options = resolveForReference(input);
  // A classifier sees every octave at no less than its fixed input size (smaller ones are
  // enlarged), so octaves do not set the size of what a class visualization draws: it keeps its count.
  if (image === undefined || input.octaves !== undefined || options.class !== undefined) return options;
  const side = Math.max(image.width, image.height);
  return { ...options, octaves: octavesForSize(options.octaves, options.octaveScale, side) };
}

function resolveForReference(input: DreamOptionsInput): DreamOptions {
  if (typeof input !== 'object' || input === null) throw new Error('dream options must be an object');
  for (const key of Object.keys(input)) {
    if (!OPTION_KEYS.has(key)) throw new OptionError(key, 'is not a dream option');
  }
  const { preset: presetName, ...values } = input;
  if (values.class !== undefined) {
    checkClassCombination(presetName, values);
    return validate({ ...DEFAULT_OPTIONS, layers: [], ...CLASS_DEFAULTS, ...definedOnly(values) });
  }
  return validate({ ...DEFAULT_OPTIONS, layers: [], ...presetOptions(presetName, values), ...definedOnly(values) });
}

/** Class visualization combined with another objective (`other`: the option that chose it). */
export function classConflict(other: string): OptionError {
  return new OptionError('class', (name) => `cannot be combined with ${name(other)}: the class logit is the objective`);
}

/** A class visualization has its own objective: options that choose another one conflict. */
function checkClassCombination(presetName: string | undefined, values: Partial<DreamOptions>): void {
  checkText('class', values.class, 'a non-empty label name or class number');
  const conflict =
    values.layers !== undefined && values.layers.length > 0
      ? 'layers'
      : values.channels !== undefined
        ? 'channels'
        : values.guide !== undefined
          ? 'guide'
          : presetName !== undefined
            ? 'preset'
            : undefined;
  if (conflict) throw classConflict(conflict);
}

/** The options of the named preset on the model, or of the default one where it applies. */
function presetOptions(name: string | undefined, values: Partial<DreamOptions>): DreamPreset['options'] {
  const model = values.model ?? DEFAULT_MODEL;
  if (name === undefined)
    return model === DEFAULT_MODEL && values.layers === undefined ? PRESETS[DEFAULT_PRESET]!.options : {};
  const { options, depth } = PRESETS[checkOneOf('preset', name, Object.keys(PRESETS))]!;
  if (model === DEFAULT_MODEL) return options;
  // The model is not loaded yet: its layer is named by depth, resolved where the model is known.
  return { ...options, layers: depth === undefined ? [] : [{ name: depthLayerName(depth), weight: 1 }] };
}

function validate(o: DreamOptions): DreamOptions {
  checkText('model', o.model);
  checkInteger('octaves', o.octaves, { min: 1, max: MAX_OCTAVES });
  checkNumber('octaveScale', o.octaveScale, { min: 1.05, max: 4 });
  checkInteger('steps', o.steps, { min: 1, max: 1000 });
  checkNumber('stepSize', o.stepSize, { min: 0.01, max: 100 });
  checkOneOf('normalization', o.normalization, NORMALIZATIONS);
  checkInteger('jitter', o.jitter, { min: 0, max: 512 });
  checkInteger('tileSize', o.tileSize, { min: 64, max: 2048 });
  checkInteger('seed', o.seed, { min: 0, max: 0xffffffff });
  checkNumber('blur', o.blur, { min: 0, max: 10 });
  if (o.param !== undefined) checkOneOf('param', o.param, IMAGE_PARAMS);
  if (o.param === 'fourier' && o.class !== undefined)
    throw new OptionError('param', (name) => must(`be 'pixel' with ${name('class')}`, o.param));
  validateLayers(o.layers);
  if (o.channels !== undefined) validateChannels(o.channels);
  if (o.guide !== undefined) validateGuide(o.guide);
  return {
    ...o,
    layers: o.layers.map((l) => ({ name: l.name, weight: l.weight })),
    ...(o.channels !== undefined && { channels: [...o.channels] }),
  };
}

function validateLayers(layers: unknown): void {
  if (!Array.isArray(layers)) throw invalid('layers', 'a list of { name, weight }');
  const seen = new Set<string>();
  for (const layer of layers as unknown[]) {
    const { name, weight } = (layer ?? {}) as Partial<DreamLayer>;
    if (typeof name !== 'string' || name.trim() === '')
      throw new OptionError('layers', must('have non-empty names', name));
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight === 0) {
      throw new OptionError('layers', must(`have a non-zero weight for '${name}'`, weight));
    }
    if (seen.has(name)) throw new OptionError('layers', `must list each layer once (got '${name}' twice)`);
    seen.add(name);
  }
}

export function validateChannels(channels: unknown): void {
  if (!Array.isArray(channels) || channels.length === 0)
    throw invalid('channels', 'a non-empty list of channel indices');
  const seen = new Set<number>();
  for (const c of channels as unknown[]) {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) throw invalid('channels', 'non-negative integers', c);
    if (seen.has(c)) throw new OptionError('channels', `must list each channel once (got ${c} twice)`);
    seen.add(c);
  }
}

function validateGuide(guide: RgbImage): void {
  const ok =
    Number.isInteger(guide.width) &&
    Number.isInteger(guide.height) &&
    guide.width > 0 &&
    guide.height > 0 &&
    guide.data instanceof Float32Array &&
    guide.data.length === guide.width * guide.height * 3;
  if (!ok) throw invalid('guide', 'an RGB image (width, height and float32 RGB data of matching size)');
}
