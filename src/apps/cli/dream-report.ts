/** What the dream command reports for each photo (shown by shared/progress.ts): octaves, steps, the file written. */
import type { DreamProgress } from '../../core/dream/options.js';
import { createReporter, formatSeconds, type ProgressFormat, type ReporterFactory } from '../shared/progress.js';

/** Dream progress, then the path of the image written. */
export const createDreamReporter: ReporterFactory<DreamProgress, string> = (style, streams) =>
  createReporter(style, streams, DREAM_FORMAT);

export type DreamReporter = ReturnType<typeof createDreamReporter>;

/** The bar counts thousandths of the whole dream (its `fraction`), whatever its octaves and steps. */
const BAR_TOTAL = 1000;

const DREAM_FORMAT: ProgressFormat<DreamProgress, string> = {
  json: {
    start: (input) => ({ input }),
    progress: (p, input) => ({ input, ...p }),
    done: (output, input) => ({ input, output }),
  },
  lines: {
    start: (label) => `${label}: dreaming\n`,
    // One line per finished octave: piped output should be readable in a log, not a flood.
    progress: (p, label) =>
      p.step < p.steps
        ? undefined
        : `${label}: octave ${p.octave}/${p.octaves} done, ${Math.round(p.fraction * 100)}%${eta(p)}\n`,
    done: (output, seconds, label) => `${label}: wrote ${output} in ${formatSeconds(seconds)}\n`,
  },
  bar: {
    format: '{label} {bar} {percentage}% | octave {octave}/{octaves} step {step}/{steps} | {timeLeft} left',
    start: (label) => ({
      value: 0,
      total: BAR_TOTAL,
      fields: { label, octave: 1, octaves: '?', step: 0, steps: '?', timeLeft: '…' },
    }),
    progress: ({ octave, octaves, step, steps, fraction, etaSeconds }) => ({
      value: Math.round(fraction * BAR_TOTAL),
      total: BAR_TOTAL,
      fields: { octave, octaves, step, steps, timeLeft: etaSeconds === undefined ? '…' : formatSeconds(etaSeconds) },
    }),
  },
};

function eta(p: DreamProgress): string {
  return p.etaSeconds === undefined || p.fraction >= 1 ? '' : `, about ${formatSeconds(p.etaSeconds)} left`;
}
