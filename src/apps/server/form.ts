/**
 * The dream form's fields (what the page and API clients send) turned into dream options, with
 * one-line errors for anything out of range, naming options by their fields. The web form offers
 * fewer knobs than the CLI.
 */
import type { DreamOptionsInput } from '../../core/dream/options.js';
import {
  checkInteger,
  checkNumber,
  checkOneOf,
  integerText,
  numberText,
  OptionError,
  type OptionNamer,
  type Range,
} from '../../core/options/checks.js';
import { ZOOM_DEFAULTS, ZOOM_DREAM_DEFAULTS } from '../../core/options/render.js';
import { DREAM_KINDS, type ZoomJobSettings } from '../shared/dream-job.js';
import { HttpError } from './errors.js';

/**
 * `channel`: dream only that channel of the layer (the explore page's "dream my photo with this
 * channel"); `from`: the id of a finished picture whose result is the photo (dream-request.ts
 * reads it); `kind`: a picture or an endless zoom, which alone takes `frames`, `zoom`, `rotate`.
 */
const FORM_FIELDS = [
  'preset',
  'model',
  'layer',
  'channel',
  'steps',
  'size',
  'seed',
  'from',
  'kind',
  'frames',
  'zoom',
  'rotate',
] as const;
const ZOOM_FIELDS = ['frames', 'zoom', 'rotate'] as const;

export type FormFields = Partial<Record<(typeof FORM_FIELDS)[number], string>>;

export interface FormLimits {
  /** Largest long side a photo is dreamed at (smaller photos keep their size). */
  maxSize: number;
  /** Most steps per octave the form accepts. */
  maxSteps: number;
  /** Most frames of a zoom. */
  maxZoomFrames: number;
  /** Largest long side of a zoom's frames. */
  maxZoomSize: number;
}

/** Smallest long side accepted for `size`. */
export const MIN_SIZE = 64;

/** Fewest frames of a zoom. */
export const MIN_ZOOM_FRAMES = 2;

/**
 * A zoom's knobs for these limits: the CLI's defaults, in ranges that keep each frame's move
 * gentle. parseForm checks by them and GET /api/presets tells the page them.
 */
export function zoomForm(limits: FormLimits) {
  return {
    frames: {
      default: Math.min(ZOOM_DEFAULTS.frames, limits.maxZoomFrames),
      min: MIN_ZOOM_FRAMES,
      max: limits.maxZoomFrames,
    },
    size: { default: limits.maxZoomSize, min: MIN_SIZE, max: limits.maxZoomSize },
    zoom: { default: ZOOM_DEFAULTS.zoom, min: 0.9, max: 1.1 },
    rotate: { default: 0, min: -10, max: 10 },
    steps: { default: ZOOM_DREAM_DEFAULTS.steps },
    fps: ZOOM_DEFAULTS.fps,
  };
}

export interface DreamForm {
  options: DreamOptionsInput;
  /** Long side the photo is scaled down to (a zoom: of its frames). */
  size: number;
  /** An endless zoom's settings; absent for a picture. */
  zoom?: ZoomJobSettings;
}

/** The field that sets each option the form offers under another name. */
const FIELDS: ReadonlyMap<string, string> = new Map([
  ['layers', 'layer'],
  ['channels', 'channel'],
]);

/** How the studio names options in its answers: by the form field that sets them. */
export const fieldName: OptionNamer = (option) => FIELDS.get(option) ?? option;

/** Empty fields (an untouched select) count as not given. */
export function parseForm(fields: Record<string, string>, limits: FormLimits): DreamForm {
  const known: ReadonlySet<string> = new Set(FORM_FIELDS);
  const unknown = Object.keys(fields).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new HttpError(400, `unknown field '${unknown.slice(0, 100)}' (fields: image, ${FORM_FIELDS.join(', ')})`);
  }
  const f: FormFields = Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ''));
  const kind = f.kind === undefined ? 'picture' : checkOneOf('kind', f.kind.trim(), DREAM_KINDS);
  const steps = integerField('steps', f.steps, { min: 1, max: limits.maxSteps });
  const seed = integerField('seed', f.seed, { min: 0, max: 0xffffffff });
  const channel = integerField('channel', f.channel, { min: 0, max: 65535 });
  const options: DreamOptionsInput = {
    ...(f.preset !== undefined && { preset: f.preset.trim() }),
    ...(f.model !== undefined && { model: f.model.trim() }),
    ...(f.layer !== undefined && { layers: [{ name: f.layer.trim(), weight: 1 }] }),
    ...(channel !== undefined && { channels: [channel] }),
    ...(steps !== undefined && { steps }),
    ...(seed !== undefined && { seed }),
  };
  if (kind === 'picture') {
    const zoomField = ZOOM_FIELDS.find((name) => f[name] !== undefined);
    if (zoomField !== undefined) throw new OptionError(zoomField, 'is for a zoom: send kind=zoom with it');
    return { options, size: integerField('size', f.size, { min: MIN_SIZE, max: limits.maxSize }) ?? limits.maxSize };
  }
  const ranges = zoomForm(limits);
  const frames = integerField('frames', f.frames, ranges.frames);
  const zoom = numberField('zoom', f.zoom, ranges.zoom);
  const rotate = numberField('rotate', f.rotate, ranges.rotate);
  return {
    options: { ...ZOOM_DREAM_DEFAULTS, ...options },
    size: integerField('size', f.size, ranges.size) ?? ranges.size.default,
    zoom: {
      frames: frames ?? ranges.frames.default,
      fps: ranges.fps,
      move: {
        zoom: zoom ?? ranges.zoom.default,
        rotate: rotate ?? ranges.rotate.default,
        translateX: 0,
        translateY: 0,
      },
      colorLock: ZOOM_DEFAULTS.colorLock,
    },
  };
}

function integerField(name: string, text: string | undefined, range: Range): number | undefined {
  if (text === undefined) return undefined;
  return checkInteger(name, integerText(text) ?? text.trim(), range);
}

function numberField(name: string, text: string | undefined, range: Range): number | undefined {
  if (text === undefined) return undefined;
  return checkNumber(name, numberText(text) ?? text.trim(), range);
}
