/**
 * Parsers for flag values. Each throws commander's InvalidArgumentError with the problem in the
 * library's shape ("must be an integer (got 'x')"); `nameFlagProblems` puts the flag in front.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { DreamLayer } from '../../core/dream/options.js';
import { integerText, must, numberText, OptionError } from '../../core/options/checks.js';

/** Throws the problem of a value that is not `expected`. */
export function refuse(expected: string, value: string): never {
  throw new InvalidArgumentError(must(`be ${expected}`, value));
}

export function parseInteger(value: string): number {
  return integerText(value) ?? refuse('an integer', value);
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "1048576", "500M", "2G" (units of 1024): bytes. */
export function parseBytes(value: string): number {
  const match = /^\s*(\d+)\s*([kmgt]?)i?b?\s*$/i.exec(value);
  return match
    ? Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]!
    : refuse('a size in bytes, like 500M or 2G', value);
}

export function parseNumber(value: string): number {
  return numberText(value) ?? refuse('a number', value);
}

/**
 * "mixed4" (weight 1) or "mixed4:1.5". Text that `isLayer` knows as a whole is a name, colons and
 * all ("onnx::Clip_203", "model/conv/Conv:0"); only then is a :weight split off.
 */
export function parseLayer(value: string, isLayer: (name: string) => boolean = () => false): DreamLayer {
  if (isLayer(value)) return { name: value, weight: 1 };
  const colon = value.lastIndexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (name.trim() === '') refuse('a layer name, optionally with :weight', value);
  if (colon < 0) return { name, weight: 1 };
  const weight = numberText(value.slice(colon + 1)) ?? refuse('a layer name with a number as :weight', value);
  return { name, weight };
}

/** "1024x768" → { width, height }. */
export function parseSize(value: string): { width: number; height: number } {
  const match = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(value);
  if (!match) refuse('WIDTHxHEIGHT, e.g. 1024x768', value);
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width < 1 || height < 1) refuse('WIDTHxHEIGHT of at least 1x1', value);
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
    if (!(choices as readonly string[]).includes(value)) refuse(`one of ${choices.join(', ')}`, value);
    return value as T;
  };
}

/**
 * Puts the flag in front of its parser's problem in every command, so a bad value reads like the
 * library's messages ("--steps must be an integer (got 'x')") instead of commander's "option
 * '--steps <n>' argument 'x' is invalid".
 */
export function nameFlagProblems(command: Command): void {
  for (const option of command.options) {
    const parse = option.parseArg;
    if (!parse) continue;
    option.parseArg = <T>(value: string, previous: T): T => {
      try {
        return parse(value, previous);
      } catch (err) {
        if (err instanceof InvalidArgumentError) throw new OptionError(option.long ?? option.name(), err.message);
        throw err;
      }
    };
  }
  for (const sub of command.commands) nameFlagProblems(sub);
}
