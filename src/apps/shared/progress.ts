/**
 * Dream progress for people and scripts: a bar on a terminal, plain lines when piped, JSON lines
 * with --json, nothing with --quiet.
 */
import { SingleBar } from 'cli-progress';
import type { DreamProgress } from '../../core/dream/options.js';

export type ProgressStyle = 'bar' | 'lines' | 'json' | 'quiet';

export interface ProgressReporter {
  start(label: string): void;
  update(progress: DreamProgress): void;
  done(output: string, seconds: number): void;
  /** Clears a bar left half-drawn by an error. */
  stop(): void;
}

export function progressStyle(flags: { quiet?: boolean; json?: boolean }, stderr: { isTTY?: boolean }): ProgressStyle {
  if (flags.json) return 'json';
  if (flags.quiet) return 'quiet';
  return stderr.isTTY ? 'bar' : 'lines';
}

type Write = (text: string) => void;

/** JSON lines go to stdout (for scripts); bars and plain lines to stderr. */
export function createProgressReporter(
  style: ProgressStyle,
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream },
): ProgressReporter {
  switch (style) {
    case 'quiet':
      return { start() {}, update() {}, done() {}, stop() {} };
    case 'json':
      return jsonReporter((text) => streams.stdout.write(text));
    case 'lines':
      return lineReporter((text) => streams.stderr.write(text));
    case 'bar':
      return barReporter(streams.stderr);
  }
}

function jsonReporter(write: Write): ProgressReporter {
  let input = '';
  const line = (value: object) => write(`${JSON.stringify(value)}\n`);
  return {
    start(label) {
      input = label;
      line({ event: 'start', input });
    },
    update(p) {
      line({ event: 'progress', input, ...p });
    },
    done(output, seconds) {
      line({ event: 'done', input, output, seconds: round(seconds, 2) });
    },
    stop() {},
  };
}

/** One line per finished octave: piped output should be readable in a log, not a flood. */
function lineReporter(write: Write): ProgressReporter {
  let label = '';
  return {
    start(name) {
      label = name;
      write(`${label}: dreaming\n`);
    },
    update(p) {
      if (p.step < p.steps) return;
      write(`${label}: octave ${p.octave}/${p.octaves} done, ${Math.round(p.fraction * 100)}%${eta(p)}\n`);
    },
    done(output, seconds) {
      write(`${label}: wrote ${output} in ${formatSeconds(seconds)}\n`);
    },
    stop() {},
  };
}

function barReporter(stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new SingleBar({
    stream,
    format: '{label} {bar} {percentage}% | octave {octave}/{octaves} step {step}/{steps} | {timeLeft} left',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
  });
  let label = '';
  return {
    start(name) {
      label = name;
      bar.start(1000, 0, { label, octave: 1, octaves: '?', step: 0, steps: '?', timeLeft: '…' });
    },
    update(p) {
      const { octave, octaves, step, steps } = p;
      bar.update(Math.round(p.fraction * 1000), {
        octave,
        octaves,
        step,
        steps,
        timeLeft: p.etaSeconds === undefined ? '…' : formatSeconds(p.etaSeconds),
      });
    },
    done(output, seconds) {
      bar.stop();
      stream.write(`${label}: wrote ${output} in ${formatSeconds(seconds)}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}

function eta(p: DreamProgress): string {
  return p.etaSeconds === undefined || p.fraction >= 1 ? '' : `, about ${formatSeconds(p.etaSeconds)} left`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${round(seconds, seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')} s`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
