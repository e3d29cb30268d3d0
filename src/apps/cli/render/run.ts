/** What the zoom and video commands share: dream flags, the engine, progress, Ctrl-C. */
import { resolveDreamOptions, type DreamOptions, type DreamOptionsInput } from '../../../core/dream/options.js';
import { definedOnly, OptionError } from '../../../core/options/checks.js';
import { createDreamBackend } from '../../../node/dream/backend-module.js';
import { engineDreamer, type FrameDreamer } from '../../../node/video/dreamer.js';
import type { RenderControl } from '../../../core/video/progress.js';
import { chosenBackend } from '../backend-option.js';
import { progressStyle } from '../../shared/progress.js';
import { createRenderReporter } from './report.js';
import { cycleLayers, parseSchedule, type LayerSchedule } from '../../../core/video/schedule.js';
import type { RenderResult } from '../../../node/video/zoom.js';

export interface RenderFlags {
  output: string;
  model?: string;
  preset?: string;
  octaves?: number;
  steps?: number;
  stepSize?: number;
  jitter?: number;
  tile?: number;
  seed?: number;
  schedule?: string;
  layers?: string;
  every?: number;
  restart?: boolean;
  keepFrames?: boolean;
  quiet?: boolean;
  json?: boolean;
  backendModule?: string;
}

/** --schedule, or --layers with --every (default: every layer for `defaultEvery` frames). */
export function scheduleFromFlags(flags: RenderFlags, defaultEvery: number): LayerSchedule {
  if (flags.schedule && flags.layers) throw new OptionError('--schedule', 'cannot be combined with --layers');
  if (flags.schedule) return parseSchedule(flags.schedule);
  if (flags.layers) return cycleLayers(flags.layers.split(','), flags.every ?? defaultEvery);
  if (flags.every !== undefined) throw new OptionError('--every', 'needs --layers');
  return [];
}

/** Dream options from the flags, on top of the render's lighter per-frame defaults. */
export function dreamOptionsFromFlags(flags: RenderFlags, defaults: DreamOptionsInput): DreamOptions {
  return resolveDreamOptions({
    ...defaults,
    ...definedOnly({
      model: flags.model,
      preset: flags.preset,
      octaves: flags.octaves,
      steps: flags.steps,
      stepSize: flags.stepSize,
      jitter: flags.jitter,
      tileSize: flags.tile,
      seed: flags.seed,
    }),
  });
}

/**
 * Loads the engine, renders with progress, and turns Ctrl-C into a clean stop that says how to
 * continue (the checkpointed frames stay in the work folder).
 */
export async function runRender(
  options: DreamOptions,
  flags: RenderFlags,
  workDir: string,
  render: (dream: FrameDreamer, control: RenderControl) => Promise<RenderResult>,
): Promise<void> {
  const reporter = createRenderReporter(progressStyle(flags, process.stderr), process);
  const abort = new AbortController();
  const onSignal = () =>
    abort.abort(new Error(`stopped; run the same command again to continue from the frames in ${workDir}`));
  process.once('SIGINT', onSignal);
  const backend = await createDreamBackend(options, chosenBackend(flags));
  const started = performance.now();
  try {
    const result = await render(engineDreamer(options, backend), {
      signal: abort.signal,
      onProgress: (p) => reporter.update(p),
    });
    reporter.done(result, (performance.now() - started) / 1000);
  } catch (err) {
    reporter.stop();
    throw abort.signal.aborted ? abort.signal.reason : err;
  } finally {
    process.off('SIGINT', onSignal);
    await backend.release();
  }
}
