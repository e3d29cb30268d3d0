/**
 * The recipe stored in every dream: everything needed to dream the same picture again with
 * `--recipe-from`, given the same input photo.
 */
import type { Recipe } from '../../node/image/recipe.js';
import type { DreamOptions } from '../../core/dream/options.js';

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

/** Checks that an embedded recipe is one of ours and has the fields --recipe-from uses. */
export function parseRecipe(value: Recipe, source: string): DreamRecipe {
  const { program, options, input } = value as Partial<DreamRecipe>;
  if (program !== 'inceptionism' || typeof options !== 'object' || options === null || typeof input !== 'object') {
    throw new Error(`${source} holds no inceptionism recipe`);
  }
  return value as unknown as DreamRecipe;
}
