/** Parsers for option values; each throws commander's InvalidArgumentError with a short reason. */
import { InvalidArgumentError } from 'commander';
import type { DreamLayer } from '../../core/dream/options.js';

export function parseInteger(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

export function parseNumber(value: string): number {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number)) throw new InvalidArgumentError('expected a number.');
  return number;
}

/** "mixed4" (weight 1) or "mixed4:1.5". */
export function parseLayer(value: string): DreamLayer {
  const colon = value.lastIndexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (name.trim() === '') throw new InvalidArgumentError('expected a layer name, optionally with :weight.');
  if (colon < 0) return { name, weight: 1 };
  const weight = value.slice(colon + 1);
  const number = weight.trim() === '' ? Number.NaN : Number(weight);
  if (!Number.isFinite(number)) throw new InvalidArgumentError(`the weight '${weight}' is not a number.`);
  return { name, weight: number };
}

/** "1024x768" → { width, height }. */
export function parseSize(value: string): { width: number; height: number } {
  const match = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected WIDTHxHEIGHT, e.g. 1024x768.');
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width < 1 || height < 1) throw new InvalidArgumentError('width and height must be at least 1.');
  return { width, height };
}

/** Collects a repeatable option into a list. */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

/** Like collect, for options that also take comma-separated lists ("--channel 3,7 --channel 9"). */
export function collectList<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), ...value.split(',').map(parse)];
}

/** An option restricted to a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    }
    return value as T;
  };
}
