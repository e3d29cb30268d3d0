/**
 * Render progress on the command line: a bar on a terminal, a line every few seconds when piped,
 * JSON lines on stdout with --json, nothing with --quiet.
 */
import { SingleBar } from 'cli-progress';
import { formatSeconds, progressStyle } from '../../shared/progress.js';
import type { RenderProgress } from '../../../core/video/progress.js';
import type { RenderResult } from '../../../node/video/zoom.js';

export interface RenderReporter {
  update(progress: RenderProgress): void;
  done(result: RenderResult, seconds: number): void;
  stop(): void;
}

const LINE_INTERVAL_MS = 5000;

export function createRenderReporter(flags: { quiet?: boolean; json?: boolean }): RenderReporter {
  const style = progressStyle(flags, process.stderr);
  switch (style) {
    case 'quiet':
      return { update() {}, done() {}, stop() {} };
    case 'json':
      return jsonReporter();
    case 'lines':
      return lineReporter();
    case 'bar':
      return barReporter();
  }
}

function jsonReporter(): RenderReporter {
  const line = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
  return {
    update(p) {
      line({ event: 'progress', ...p });
    },
    done(result, seconds) {
      line({ event: 'done', ...result, seconds: Math.round(seconds * 100) / 100 });
    },
    stop() {},
  };
}

function summary(p: RenderProgress): string {
  const parts = [`${p.done}/${p.total} frames`];
  if (p.framesPerMinute !== undefined) parts.push(`${p.framesPerMinute.toFixed(1)} frames/min`);
  if (p.etaSeconds !== undefined) parts.push(`ETA ${formatSeconds(p.etaSeconds)}`);
  if (p.color)
    parts.push(
      `luma ${p.color.luminance.toFixed(0)} (${signed(p.color.luminanceDrift, 1)}) sat ${p.color.saturation.toFixed(2)} (${signed(p.color.saturationDrift, 3)})`,
    );
  return parts.join(' | ');
}

const signed = (v: number, digits: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

function doneLine(result: RenderResult, seconds: number): string {
  const resumed = result.resumed > 0 ? `, continued after frame ${result.resumed}` : '';
  return `wrote ${result.output}: ${result.frames} frames in ${formatSeconds(seconds)}${resumed}\n`;
}

function lineReporter(): RenderReporter {
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === 'dream' && now - last < LINE_INTERVAL_MS && p.done < p.total) return;
      last = now;
      process.stderr.write(p.phase === 'encode' ? 'encoding…\n' : `${summary(p)}\n`);
    },
    done(result, seconds) {
      process.stderr.write(doneLine(result, seconds));
    },
    stop() {},
  };
}

function barReporter(): RenderReporter {
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{bar} {info}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(p) {
      if (!started) bar.start(p.total, p.done, { info: '' });
      started = true;
      bar.setTotal(p.total);
      bar.update(p.done, { info: p.phase === 'encode' ? 'encoding…' : summary(p) });
    },
    done(result, seconds) {
      bar.stop();
      process.stderr.write(doneLine(result, seconds));
    },
    stop() {
      bar.stop();
    },
  };
}
