/**
 * Progress for people and scripts, for every kind of work (dreams, renders): a bar on a terminal,
 * plain lines when piped, JSON lines with --json, nothing with --quiet. Each kind of work says
 * what it has to say in a ProgressFormat; how and where that is shown is decided here.
 */
import { SingleBar } from 'cli-progress';

export type ProgressStyle = 'bar' | 'lines' | 'json' | 'quiet';

export function progressStyle(flags: { quiet?: boolean; json?: boolean }, stderr: { isTTY?: boolean }): ProgressStyle {
  if (flags.json) return 'json';
  if (flags.quiet) return 'quiet';
  return stderr.isTTY ? 'bar' : 'lines';
}

/** Reports work in progress (`P`) and its outcome (`R`). */
export interface ProgressReporter<P, R> {
  /** Starts the next piece of work (one photo of several); `label` names it in what follows. */
  start(label: string): void;
  update(progress: P): void;
  done(result: R, seconds: number): void;
  /** Clears a bar left half-drawn by an error. */
  stop(): void;
}

/** Where the bar stands: `value` out of `total`, and the fields its format shows. */
export interface BarState {
  value: number;
  total: number;
  fields: Record<string, string | number>;
}

/**
 * What one kind of work says in each style; `label` is the name last given to `start` ('' before).
 * The bar closes with the plain `done` line.
 */
export interface ProgressFormat<P, R> {
  /** Fields of the JSON events: written as `{ event, ...fields }`, and `seconds` after `done`'s. */
  json: {
    start?(label: string): object;
    progress(progress: P, label: string): object;
    done(result: R, label: string): object;
  };
  /** Plain lines; a progress line may be left out (undefined) so that a log stays readable. */
  lines: {
    start?(label: string): string;
    progress(progress: P, label: string): string | undefined;
    done(result: R, seconds: number, label: string): string;
  };
  /** The bar's format (cli-progress placeholders), where it starts (else at the first progress) and stands. */
  bar: {
    format: string;
    start?(label: string): BarState;
    progress(progress: P, label: string): BarState;
  };
}

/** JSON lines go to stdout (for scripts); bars and plain lines to stderr. */
export interface ProgressStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** A reporter of one kind of work, in the chosen style. */
export type ReporterFactory<P, R> = (style: ProgressStyle, streams: ProgressStreams) => ProgressReporter<P, R>;

export function createReporter<P, R>(
  style: ProgressStyle,
  streams: ProgressStreams,
  format: ProgressFormat<P, R>,
): ProgressReporter<P, R> {
  switch (style) {
    case 'quiet':
      return { start() {}, update() {}, done() {}, stop() {} };
    case 'json':
      return jsonReporter(format.json, (text) => streams.stdout.write(text));
    case 'lines':
      return lineReporter(format.lines, (text) => streams.stderr.write(text));
    case 'bar':
      return barReporter(format, streams.stderr);
  }
}

type Write = (text: string) => void;

function jsonReporter<P, R>(json: ProgressFormat<P, R>['json'], write: Write): ProgressReporter<P, R> {
  let label = '';
  const event = (name: string, fields: object | undefined) => {
    if (fields) write(`${JSON.stringify({ event: name, ...fields })}\n`);
  };
  return {
    start(name) {
      label = name;
      event('start', json.start?.(label));
    },
    update(p) {
      event('progress', json.progress(p, label));
    },
    done(result, seconds) {
      event('done', { ...json.done(result, label), seconds: round(seconds, 2) });
    },
    stop() {},
  };
}

function lineReporter<P, R>(lines: ProgressFormat<P, R>['lines'], write: Write): ProgressReporter<P, R> {
  let label = '';
  const line = (text: string | undefined) => {
    if (text !== undefined) write(text);
  };
  return {
    start(name) {
      label = name;
      line(lines.start?.(label));
    },
    update(p) {
      line(lines.progress(p, label));
    },
    done(result, seconds) {
      write(lines.done(result, seconds, label));
    },
    stop() {},
  };
}

function barReporter<P, R>(format: ProgressFormat<P, R>, stream: NodeJS.WriteStream): ProgressReporter<P, R> {
  const bar = new SingleBar({
    stream,
    format: format.bar.format,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
  });
  let label = '';
  let shown = false;
  const show = ({ value, total, fields }: BarState) => {
    if (shown) {
      bar.setTotal(total);
      bar.update(value, fields);
    } else {
      bar.start(total, value, fields);
      shown = true;
    }
  };
  const hide = () => {
    bar.stop();
    shown = false;
  };
  return {
    start(name) {
      label = name;
      const state = format.bar.start?.(label);
      if (state) show(state);
    },
    update(p) {
      show(format.bar.progress(p, label));
    },
    done(result, seconds) {
      hide();
      stream.write(format.lines.done(result, seconds, label));
    },
    stop: hide,
  };
}

/** "3.1 s", "42 s", "2 min 05 s", "3 min": rounded to whole seconds first, so never "60 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${round(seconds, 1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${String(rest).padStart(2, '0')} s`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
