/** `deepdream recipe IMAGE`: prints the recipe a dream embedded in its output. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('recipe')
    .description('print the recipe (model, layers, options, seed, input) embedded in a dream, as JSON')
    .argument('<image>', 'an image written by deepdream')
    .action(async (path: string) => {
      const { readRecipe } = await import('../../../node/image/recipe.js');
      const recipe = await readRecipe(path);
      if (!recipe) throw new Error(`${path} holds no recipe (was it written by deepdream?)`);
      process.stdout.write(`${JSON.stringify(recipe, null, 2)}\n`);
    });
}
