/**
 * The validation vocabulary of every option the library, the CLI and the studio check: one error
 * type and one message shape, "<option> must <requirement> (got <value>)", with options named as
 * the library names them (DreamOptions, ZoomOptions, VideoOptions). Apps show their own names (a
 * CLI flag, a form field) through `OptionError.messageFor`, never by rewording a message.
 */

/** How a caller names an option in messages, e.g. "tileSize" -> "--tile". */
export type OptionNamer = (option: string) => string;

/** The problem with an option's value; a function when it names other options too. */
export type Problem = string | ((name: OptionNamer) => string);

const libraryName: OptionNamer = (option) => option;

/** A bad option value. The message is "<option> <problem>", e.g. "steps must be an integer from 1 to 1000 (got 0)". */
export class OptionError extends Error {
  override readonly name = 'OptionError';
  /** What is wrong, without the option's name ("must be an integer from 1 to 1000 (got 0)"). */
  readonly problem: string;
  readonly #problem: Problem;

  constructor(
    /** The option as the library names it. */
    readonly option: string,
    problem: Problem,
  ) {
    const text = typeof problem === 'string' ? problem : problem(libraryName);
    super(`${option} ${text}`);
    this.problem = text;
    this.#problem = problem;
  }

  /** The message with every option it mentions named by `name`. */
  messageFor(name: OptionNamer): string {
    return `${name(this.option)} ${typeof this.#problem === 'string' ? this.#problem : this.#problem(name)}`;
  }
}

/** A value as a message quotes it: strings in quotes, anything else as written. */
function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** A problem in the one shape: "must <requirement>", then "(got <value>)" when a value is given. */
export function must(requirement: string, ...actual: [] | [unknown]): string {
  return actual.length === 0 ? `must ${requirement}` : `must ${requirement} (got ${shown(actual[0])})`;
}

/** "<option> must be <expected> (got <value>)". */
export function invalid(option: string, expected: string, ...actual: [] | [unknown]): OptionError {
  return new OptionError(option, must(`be ${expected}`, ...actual));
}

/** Bounds of a number: `min` and `max` included, `over` and `under` excluded. */
export interface Range {
  min?: number;
  max?: number;
  over?: number;
  under?: number;
}

function inRange(value: number, { min, max, over, under }: Range): boolean {
  return (
    (min === undefined || value >= min) &&
    (max === undefined || value <= max) &&
    (over === undefined || value > over) &&
    (under === undefined || value < under)
  );
}

/** "from 1 to 12", "of at least 1", "over 0 and at most 240". */
function rangeText({ min, max, over, under }: Range): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  const low = min !== undefined ? `at least ${min}` : over !== undefined ? `over ${over}` : undefined;
  const high = max !== undefined ? `at most ${max}` : under !== undefined ? `under ${under}` : undefined;
  if (low !== undefined && high !== undefined) return ` ${low} and ${high}`;
  const bound = low ?? high;
  if (bound === undefined) return '';
  return min !== undefined || max !== undefined ? ` of ${bound}` : ` ${bound}`;
}

export function checkInteger(option: string, value: unknown, range: Range = {}): number {
  if (typeof value === 'number' && Number.isInteger(value) && inRange(value, range)) return value;
  throw invalid(option, `an integer${rangeText(range)}`, value);
}

export function checkNumber(option: string, value: unknown, range: Range = {}): number {
  if (typeof value === 'number' && Number.isFinite(value) && inRange(value, range)) return value;
  throw invalid(option, `a number${rangeText(range)}`, value);
}

export function checkOneOf<T extends string>(option: string, value: unknown, choices: readonly T[]): T {
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  throw invalid(option, `one of ${choices.join(', ')}`, value);
}

/** A string with something in it besides spaces. */
export function checkText(option: string, value: unknown, expected = 'a non-empty name'): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw invalid(option, expected, value);
}

/** A decimal integer as typed ("42", "-3"), or undefined for anything else. */
export function integerText(text: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** A finite number as typed ("1.5", "1e-2"), or undefined for anything else. */
export function numberText(text: string): number | undefined {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** The options given: entries whose value is undefined are dropped, so spreading them keeps defaults. */
export function definedOnly<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
