/** What the main command does: read photos, dream them, write each result with its recipe. */
import { dirname } from 'node:path';
import {
  classConflict,
  DEFAULT_MODEL,
  resolveDreamOptions,
  type DreamLayer,
  type DreamOptions,
  type DreamOptionsInput,
  type ImageParam,
  type Normalization,
} from '../../core/dream/options.js';
import { checkInteger, definedOnly } from '../../core/options/checks.js';
import { noiseImage } from '../../core/dream/random.js';
import type { WorkerDreamDeps } from '../../node/dream/index.js';
import { checkWritable } from '../../node/image/files.js';
import { DEFAULT_MAX_PIXELS, readImage, type LoadedImage } from '../../node/image/read.js';
import type { RgbImage } from '../../core/image/rgb.js';
import { writeImage } from '../../node/image/write.js';
import { THREADS } from './commands/dream.js';
import { planDreamFiles, type DreamFile } from './dream-files.js';
import { createDreamReporter, type DreamReporter } from './dream-report.js';
import { progressStyle } from '../shared/progress.js';
import {
  otherFileWarning,
  parseRecipe,
  readRecipeFile,
  recipeFile,
  type DreamRecipe,
  type RecipeFile,
} from '../shared/recipe.js';
import { programVersion } from '../shared/version.js';
import { chosenBackend } from './backend-option.js';
import { chosenDevice } from './device-option.js';
import type { Device, OrtDevice } from '../../node/runtime/device.js';
import { warner } from './warn.js';
import { stopOnInterrupt } from './interrupt.js';
import { parseLayerFlags } from './layer-flags.js';

export interface DreamFlags {
  output?: string;
  model?: string;
  /** As typed: read against the model's names by parseLayerFlags. */
  layer?: string[];
  channel?: number[];
  guide?: string;
  class?: string;
  blur?: number;
  param?: ImageParam;
  preset?: string;
  octaves?: number;
  octaveScale?: number;
  steps?: number;
  stepSize?: number;
  norm?: Normalization;
  jitter?: number;
  tile?: number;
  seed?: number;
  fromNoise?: { width: number; height: number };
  maxSize: number;
  threads?: number;
  device?: Device;
  quiet?: boolean;
  json?: boolean;
  recipeFrom?: string;
  backendModule?: string;
}

/** Everything settled before the first pixel is dreamed, so bad flags fail fast. */
interface DreamPlan {
  /** The options as given (recipe, then flags); each photo's octave count follows its size unless set. */
  input: DreamOptionsInput;
  /** The options resolved for a 1024-px photo: what the checks and the model warm-up need. */
  options: DreamOptions;
  maxSize?: number;
  noise?: { width: number; height: number };
  files: DreamFile[];
  guide?: { image: RgbImage; file: RecipeFile };
  recipe?: DreamRecipe;
  threads?: number;
  /** Probed: it works here. */
  device: OrtDevice;
  backendModule?: string;
}

type Dream = typeof import('../../node/dream/index.js').dream;

/** `isExplicit(key)`: whether the user typed this flag (so it overrides a --recipe-from recipe). */
export async function runDreamCommand(
  inputs: string[],
  flags: DreamFlags,
  isExplicit: (key: string) => boolean,
): Promise<void> {
  const plan = await planDream(inputs, flags, isExplicit);
  const reporter = createDreamReporter(progressStyle(flags, process.stderr), process);
  const warn = warner(flags);
  const abort = new AbortController();
  const stopWatching = stopOnInterrupt(abort);
  try {
    const { dream, warmUpDream } = await import('../../node/dream/index.js');
    const deps = dreamDeps(plan);
    // The model loads in the dream worker while this thread reads the first photo.
    warmUpDream(plan.options, deps);
    for (const file of plan.files) await dreamFile(file, plan, { dream, deps, reporter, signal: abort.signal, warn });
  } finally {
    reporter.stop();
    stopWatching();
  }
}

async function dreamFile(
  file: DreamFile,
  plan: DreamPlan,
  run: {
    dream: Dream;
    deps: WorkerDreamDeps;
    reporter: DreamReporter;
    signal: AbortSignal;
    warn: (text: string) => void;
  },
): Promise<void> {
  const started = performance.now();
  const photo = file.input === undefined ? undefined : await readPhoto(file.input, plan.maxSize);
  const mismatch =
    photo && plan.recipe && 'name' in plan.recipe.input && otherFileWarning(plan.recipe.input, photo.file);
  if (mismatch) run.warn(mismatch);
  const image = photo?.loaded.image ?? noiseImage(plan.noise!.width, plan.noise!.height, plan.options.seed);
  // Resolved here, with the photo's size, so that the recipe holds the octave count dreamed with.
  const options = resolveDreamOptions(plan.input, image);
  run.reporter.start(file.input ?? 'noise');
  const dreamed = await run.dream(
    image,
    { ...options, ...(plan.guide && { guide: plan.guide.image }) },
    { onProgress: (p) => run.reporter.update(p), signal: run.signal },
    // The CLI is done with the photo's pixels: hand them to the worker rather than copy them.
    // Sessions are worth keeping only for a photo that follows.
    { ...run.deps, transferImage: true, keepSessions: plan.files.length > 1 },
  );
  const recipe: DreamRecipe = {
    program: 'inceptionism',
    version: programVersion(),
    input: photo?.file ?? { noise: plan.noise! },
    ...(plan.maxSize && { maxSize: plan.maxSize }),
    options,
    ...(plan.guide && { guide: plan.guide.file }),
  };
  await writeImage(file.output, dreamed, { ...(photo?.loaded.alpha && { alpha: photo.loaded.alpha }), recipe });
  run.reporter.done(file.output, (performance.now() - started) / 1000);
}

async function planDream(
  inputs: string[],
  flags: DreamFlags,
  isExplicit: (key: string) => boolean,
): Promise<DreamPlan> {
  if (!flags.output)
    throw new Error('say where to write the dream with -o OUTPUT (an image, or a folder for several photos)');
  checkInteger('--max-size', flags.maxSize, { min: 0 });
  if (flags.threads !== undefined) checkInteger('--threads', flags.threads, THREADS);
  const recipe = flags.recipeFrom === undefined ? undefined : await recipeFrom(flags.recipeFrom);
  const model = flags.model ?? recipe?.options.model ?? DEFAULT_MODEL;
  const layers = flags.layer && (await parseLayerFlags(flags.layer, model, flags.backendModule));
  const input = { ...recipe?.options, ...optionFlags(flags, layers) };
  const options = resolveDreamOptions(input);
  // The guide is read after the options are settled: its conflict is checked here, before reading it.
  if (options.class !== undefined && flags.guide !== undefined) throw classConflict('guide');
  const maxSize = isExplicit('maxSize') || !recipe ? flags.maxSize || undefined : recipe.maxSize;

  const recipeNoise = recipe && 'noise' in recipe.input ? recipe.input.noise : undefined;
  const noise = flags.fromNoise ?? (inputs.length === 0 ? recipeNoise : undefined);
  if (noise && inputs.length > 0) throw new Error('give photos or --from-noise, not both');
  if (!noise && inputs.length === 0)
    throw new Error('nothing to dream: give photos or a folder, or --from-noise WxH (see deepdream --help)');
  if (noise && noise.width * noise.height > DEFAULT_MAX_PIXELS) {
    throw new Error(
      `--from-noise ${noise.width}x${noise.height} is too large (limit ${DEFAULT_MAX_PIXELS / 1e6} megapixels)`,
    );
  }
  if (recipe?.guide && flags.guide === undefined) {
    throw new Error(`the recipe dreams with the guide image ${recipe.guide.name}: pass it with --guide`);
  }
  const files = await planDreamFiles(noise ? [] : inputs, flags.output);
  await checkOutputFolders(files);
  const guide = flags.guide === undefined ? undefined : await readGuide(flags.guide, maxSize);
  // The engine's device is settled last: a bad flag or file fails before the GPU is probed.
  const device = await chosenDevice(flags);
  return {
    input,
    options,
    files,
    device,
    ...(maxSize && { maxSize }),
    ...(noise && { noise }),
    ...(guide && { guide }),
    ...(recipe && { recipe }),
    ...(flags.threads !== undefined && { threads: flags.threads }),
    ...chosenBackend(flags),
  };
}

/** Every output folder can be written, proved before the first dream rather than after it. */
async function checkOutputFolders(files: DreamFile[]): Promise<void> {
  const checked = new Set<string>();
  for (const { output } of files) {
    if (checked.has(dirname(output))) continue;
    await checkWritable(output);
    checked.add(dirname(output));
  }
}

/** The dream options the user typed. */
function optionFlags(flags: DreamFlags, layers: DreamLayer[] | undefined): DreamOptionsInput {
  return definedOnly({
    preset: flags.preset,
    model: flags.model,
    layers,
    channels: flags.channel,
    octaves: flags.octaves,
    octaveScale: flags.octaveScale,
    steps: flags.steps,
    stepSize: flags.stepSize,
    normalization: flags.norm,
    jitter: flags.jitter,
    tileSize: flags.tile,
    seed: flags.seed,
    class: flags.class,
    blur: flags.blur,
    param: flags.param,
  });
}

async function recipeFrom(path: string): Promise<DreamRecipe> {
  return parseRecipe(await readRecipeFile(path), path);
}

async function readPhoto(
  path: string,
  maxSize: number | undefined,
): Promise<{ loaded: LoadedImage; file: RecipeFile }> {
  const loaded = await readImage(path, { maxSize });
  return { loaded, file: await recipeFile(path) };
}

async function readGuide(path: string, maxSize: number | undefined): Promise<{ image: RgbImage; file: RecipeFile }> {
  const { loaded, file } = await readPhoto(path, maxSize);
  return { image: loaded.image, file };
}

/** The worker's settings: its backend (see backend-option.ts), device and threads. */
function dreamDeps(plan: DreamPlan): WorkerDreamDeps {
  return {
    device: plan.device,
    ...(plan.backendModule !== undefined && { backendModule: plan.backendModule }),
    ...(plan.threads !== undefined && { threads: plan.threads }),
  };
}
