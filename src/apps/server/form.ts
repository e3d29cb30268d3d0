/**
 * The dream form's fields (what the page and API clients send) turned into dream options, with
 * one-line errors for anything out of range, naming options by their fields. The web form offers
 * fewer knobs than the CLI.
 */
import type { DreamOptionsInput } from '../../core/dream/options.js';
import { checkInteger, integerText, type OptionNamer, type Range } from '../../core/options/checks.js';
import { HttpError } from './errors.js';

/**
 * `channel`: dream only that channel of the layer (the explore page's "dream my photo with this
 * channel"); `from`: the id of a finished dream whose result is the photo (dream-request.ts reads it).
 */
const FORM_FIELDS = ['preset', 'model', 'layer', 'channel', 'steps', 'size', 'seed', 'from'] as const;

export type FormFields = Partial<Record<(typeof FORM_FIELDS)[number], string>>;

export interface FormLimits {
  /** Largest long side a photo is dreamed at (smaller photos keep their size). */
  maxSize: number;
  /** Most steps per octave the form accepts. */
  maxSteps: number;
}

/** Smallest long side accepted for `size`. */
export const MIN_SIZE = 64;

export interface DreamForm {
  options: DreamOptionsInput;
  /** Long side the photo is scaled down to. */
  size: number;
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
  return { options, size: integerField('size', f.size, { min: MIN_SIZE, max: limits.maxSize }) ?? limits.maxSize };
}

function integerField(name: string, text: string | undefined, range: Range): number | undefined {
  if (text === undefined) return undefined;
  return checkInteger(name, integerText(text) ?? text.trim(), range);
}
