/** What the zoom and video commands share: dream flags, recipes, the engine, progress, Ctrl-C. */
import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import type { DreamBackend } from '../../../core/dream/backend.js';
import { resolveDreamOptions, type DreamOptions, type DreamOptionsInput } from '../../../core/dream/options.js';
import { definedOnly, OptionError } from '../../../core/options/checks.js';
import { createDreamBackend } from '../../../node/dream/backend-module.js';
import type { WorkFolder } from '../../../node/video/checkpoint.js';
import { engineDreamer, type FrameDreamer } from '../../../node/video/dreamer.js';
import type { RenderControl } from '../../../core/video/progress.js';
import { chosenBackend } from '../backend-option.js';
import { chosenDevice } from '../device-option.js';
import type { Device } from '../../../node/runtime/device.js';
import { flagName } from '../flags.js';
import { reportOutcome, stopOnInterrupt } from '../interrupt.js';
import { warner } from '../warn.js';
import { progressStyle } from '../../shared/progress.js';
import {
  otherFileWarning,
  parseRenderRecipe,
  readRecipeFile,
  recipeFile,
  type RecipeFile,
  type RenderKind,
  type RenderRecipe,
} from '../../shared/recipe.js';
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
  recipeFrom?: string;
  device?: Device;
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

/** The recipe --recipe-from names, checked to be a `kind` render's; undefined without the flag. */
export async function recipeFrom<K extends RenderKind>(
  flags: RenderFlags,
  kind: K,
): Promise<Extract<RenderRecipe, { kind: K }> | undefined> {
  if (flags.recipeFrom === undefined) return undefined;
  return parseRenderRecipe(await readRecipeFile(flags.recipeFrom), flags.recipeFrom, kind);
}

/**
 * Render options with a recipe's settings in place of the flags' values, except where the user
 * typed the flag: typed flags override the recipe, the flags' defaults do not.
 */
export function withRecipeSettings<T extends object>(
  recipe: RenderRecipe | undefined,
  command: Command,
  options: T,
): T {
  return recipe ? (overlay(options, recipe.settings, '', typedOn(command)) as T) : options;
}

function overlay(
  values: object,
  recorded: object,
  prefix: string,
  typed: (option: string) => boolean,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...values };
  for (const [key, value] of Object.entries(recorded)) {
    const option = `${prefix}${key}`;
    const current = result[key];
    // A group of options without a flag of its own (the camera move) is merged field by field.
    if (flagName(option) === option && isRecord(value) && isRecord(current)) {
      result[key] = overlay(current, value, `${option}.`, typed);
    } else if (!typed(option)) {
      result[key] = value;
    }
  }
  return result;
}

const isRecord = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether the user typed a flag that sets `option` (three flags set the layer schedule). */
function typedOn(command: Command): (option: string) => boolean {
  return (option) => {
    const flags = option === 'schedule' ? ['--schedule', '--layers', '--every'] : [flagName(option)];
    return command.options.some(
      (o) => flags.includes(o.long ?? '') && command.getOptionValueSource(o.attributeName()) === 'cli',
    );
  };
}

/** A file as the render's recipe remembers it, with a warning when the recipe remembers another. */
export async function inputFile(
  path: string,
  recorded: RecipeFile | undefined,
  flags: RenderFlags,
): Promise<RecipeFile> {
  const file = await recipeFile(path);
  const warning = recorded && otherFileWarning(recorded, file);
  if (warning) warner(flags)(warning);
  return file;
}

/** What runRender needs of a prepared zoom or video. */
interface PreparedRender {
  work: WorkFolder;
  options: { schedule: LayerSchedule };
}

/**
 * Loads the engine, checks every layer the render will dream, renders with progress, and turns
 * Ctrl-C into a clean stop that says how to continue (the checkpointed frames stay in the work
 * folder). A render that fails before its first frame leaves no empty work folder behind.
 */
export async function runRender(
  options: DreamOptions,
  flags: RenderFlags,
  prepared: PreparedRender,
  render: (dream: FrameDreamer, control: RenderControl) => Promise<RenderResult>,
): Promise<void> {
  const reporter = createRenderReporter(progressStyle(flags, process.stderr), process);
  const abort = new AbortController();
  const stopWatching = stopOnInterrupt(
    abort,
    `stopped; run the same command again to continue from the frames in ${prepared.work.dir}`,
  );
  const backend = await checkedBackend(options, flags, prepared);
  try {
    await reportOutcome(reporter, abort, () =>
      render(engineDreamer(options, backend), { signal: abort.signal, onProgress: (p) => reporter.update(p) }),
    );
  } finally {
    stopWatching();
    await backend.release();
  }
}

/** The backend, with every layer the render dreams checked; a failure here leaves no empty work folder. */
async function checkedBackend(
  options: DreamOptions,
  flags: RenderFlags,
  prepared: PreparedRender,
): Promise<DreamBackend> {
  let backend: DreamBackend | undefined;
  try {
    backend = await createDreamBackend(options, { ...chosenBackend(flags), device: await chosenDevice(flags) });
    checkLayers(backend, options, prepared.options.schedule);
    return backend;
  } catch (err) {
    await backend?.release();
    if (prepared.work.done === 0) await rm(prepared.work.dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Resolves every layer the frames will dream with the model (the schedule's, or the options' own
 * when the schedule leaves frames to them), so a bad layer or channel fails before the first frame
 * rather than at the frame where the schedule reaches it.
 */
function checkLayers(backend: DreamBackend, options: DreamOptions, schedule: LayerSchedule): void {
  if (options.class !== undefined) return;
  if (schedule.length === 0) backend.resolveLayers(options.layers, options.channels);
  for (const layer of new Set(schedule.map((entry) => entry.layer))) {
    backend.resolveLayers([{ name: layer, weight: 1 }], options.channels);
  }
}
