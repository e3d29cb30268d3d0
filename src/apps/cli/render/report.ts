/** What zoom and video renders report (shown by shared/progress.ts): frames, speed, colour drift, the file written. */
import { createReporter, formatSeconds, type ProgressFormat, type ReporterFactory } from '../../shared/progress.js';
import type { RenderProgress } from '../../../core/video/progress.js';
import type { RenderResult } from '../../../node/video/zoom.js';

/** Piped output gets a dream line at most this often, so that a log stays readable. */
const LINE_INTERVAL_MS = 5000;

export const createRenderReporter: ReporterFactory<RenderProgress, RenderResult> = (style, streams) =>
  createReporter(style, streams, renderFormat());

/** A new format per render: its plain lines remember when the last one was written. */
function renderFormat(): ProgressFormat<RenderProgress, RenderResult> {
  let last = 0;
  return {
    json: {
      progress: (p) => p,
      done: (result) => result,
    },
    lines: {
      progress(p) {
        const now = Date.now();
        if (p.phase === 'dream' && now - last < LINE_INTERVAL_MS && p.done < p.total) return undefined;
        last = now;
        return p.phase === 'encode' ? 'encoding…\n' : `${summary(p)}\n`;
      },
      done(result, seconds) {
        const resumed = result.resumed > 0 ? `, continued after frame ${result.resumed}` : '';
        return `wrote ${result.output}: ${result.frames} frames in ${formatSeconds(seconds)}${resumed}\n`;
      },
    },
    bar: {
      format: '{bar} {info}',
      progress: (p) => ({
        value: p.done,
        total: p.total,
        fields: { info: p.phase === 'encode' ? 'encoding…' : summary(p) },
      }),
    },
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
