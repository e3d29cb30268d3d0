/**
 * The recipe stored in every dream and render: everything needed to make the same pictures again
 * with `--recipe-from`, given the same input photo or clip. Still dreams keep it in the image (XMP),
 * zooms and videos in their output (see node/video/recipe.ts).
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readRecipe, type Recipe } from '../../node/image/recipe.js';
import { isRenderOutput, readRenderRecipe } from '../../node/video/recipe.js';
import type { DreamOptions } from '../../core/dream/options.js';
import type { VideoOptions } from '../../node/video/video.js';
import type { ZoomOptions } from '../../node/video/zoom.js';
import { programVersion } from './version.js';

/** A file the dream read, as the recipe remembers it (name only, no folders: recipes travel). */
export interface RecipeFile {
  name: string;
  bytes: number;
}

// A type alias (not an interface) so it is assignable to the image module's Recipe record.
export type DreamRecipe = {
  program: 'inceptionism';
  version: string;
  /** The photo dreamed, or the size of the noise dreamed from. */
  input: RecipeFile | { noise: { width: number; height: number } };
  /** Long-side limit the photo was scaled down to before dreaming; absent when unlimited. */
  maxSize?: number;
  /** Every resolved dream option (the guide image is in `guide`). */
  options: Omit<DreamOptions, 'guide'>;
  guide?: RecipeFile;
};

/** Render options a recipe does not keep: files (kept as RecipeFile), the seed (in `options`), work-folder switches. */
const UNRECORDED = ['input', 'output', 'from', 'seed', 'dreamSettings', 'restart', 'keepFrames', 'recipe'] as const;
type Unrecorded = (typeof UNRECORDED)[number];

export type ZoomSettings = Omit<ZoomOptions, Unrecorded>;
export type VideoSettings = Omit<VideoOptions, Unrecorded>;

// Type aliases (not interfaces), like DreamRecipe.
type RenderRecipeBase = {
  program: 'inceptionism';
  version: string;
  /** The per-frame dream's resolved options; frame i's seed is derived from `options.seed`. */
  options: Omit<DreamOptions, 'guide'>;
};

export type ZoomRecipe = RenderRecipeBase & {
  kind: 'zoom';
  /** The photo the zoom starts from; absent when it starts from noise. */
  from?: RecipeFile;
  settings: ZoomSettings;
};

export type VideoRecipe = RenderRecipeBase & {
  kind: 'video';
  /** The clip dreamed (it is not in the recipe: give it again). */
  input: RecipeFile;
  settings: VideoSettings;
};

export type RenderRecipe = ZoomRecipe | VideoRecipe;
export type RenderKind = RenderRecipe['kind'];

/**
 * The recorded part of zoom or video options, keys sorted: options taken from a recipe are
 * assembled in another order, and the same settings must embed as the same bytes.
 */
function recordedSettings<T extends object>(options: T): Omit<T, Unrecorded> {
  const unrecorded: readonly string[] = UNRECORDED;
  return Object.fromEntries(
    Object.entries(options)
      .filter(([key, value]) => !unrecorded.includes(key) && value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  ) as Omit<T, Unrecorded>;
}

export function zoomRecipe(zoom: ZoomOptions, options: DreamOptions, from: RecipeFile | undefined): ZoomRecipe {
  return {
    program: 'inceptionism',
    version: programVersion(),
    kind: 'zoom',
    ...(from && { from }),
    settings: recordedSettings(zoom),
    options,
  };
}

export function videoRecipe(video: VideoOptions, options: DreamOptions, input: RecipeFile): VideoRecipe {
  return {
    program: 'inceptionism',
    version: programVersion(),
    kind: 'video',
    input,
    settings: recordedSettings(video),
    options,
  };
}

/** The recipe in a file deepdream wrote: an image, a video, a GIF or a PNG sequence. */
export async function readRecipeFile(path: string): Promise<Recipe> {
  const recipe = (await isRenderOutput(path)) ? await readRenderRecipe(path) : await readRecipe(path);
  if (!recipe) throw new Error(`${path} holds no recipe (was it written by deepdream?)`);
  return recipe;
}

const isOurs = (value: Recipe): boolean =>
  value['program'] === 'inceptionism' && typeof value['options'] === 'object' && value['options'] !== null;

/** What a recipe is the recipe of, in words. */
const recipeOf = (value: Recipe): string =>
  value['kind'] === 'zoom' || value['kind'] === 'video' ? `a ${value['kind']}` : 'a still dream';

/** Checks that an embedded recipe is one of ours, of a still dream, with the fields --recipe-from uses. */
export function parseRecipe(value: Recipe, source: string): DreamRecipe {
  if (!isOurs(value)) throw new Error(`${source} holds no inceptionism recipe`);
  if (value['kind'] !== undefined)
    throw new Error(`${source} holds the recipe of ${recipeOf(value)}, not of a still dream`);
  if (typeof value['input'] !== 'object') throw new Error(`${source} holds no inceptionism recipe`);
  return value as unknown as DreamRecipe;
}

/** Checks that a recipe is one of ours, of a render of `kind`. */
export function parseRenderRecipe<K extends RenderKind>(
  value: Recipe,
  source: string,
  kind: K,
): Extract<RenderRecipe, { kind: K }> {
  if (!isOurs(value)) throw new Error(`${source} holds no inceptionism recipe`);
  if (value['kind'] !== kind) throw new Error(`${source} holds the recipe of ${recipeOf(value)}, not of a ${kind}`);
  if (typeof value['settings'] !== 'object' || value['settings'] === null) {
    throw new Error(`${source} holds a damaged ${kind} recipe (no settings)`);
  }
  return value as unknown as Extract<RenderRecipe, { kind: K }>;
}

/** A file as a recipe remembers it. */
export async function recipeFile(path: string): Promise<RecipeFile> {
  return { name: basename(path), bytes: (await stat(path)).size };
}

/** Dreaming another file with a recipe is allowed, but rarely meant: the warning to print, if any. */
export function otherFileWarning(recorded: RecipeFile, given: RecipeFile): string | undefined {
  if (recorded.name === given.name && recorded.bytes === given.bytes) return undefined;
  return `the recipe was made from ${recorded.name} (${recorded.bytes} bytes), not ${given.name} (${given.bytes} bytes)`;
}
