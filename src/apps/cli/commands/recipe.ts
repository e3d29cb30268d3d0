/** `deepdream recipe FILE`: prints the recipe a dream, zoom or video embedded in its output. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('recipe')
    .description('print the recipe (model, layers, options, seed, input) embedded in a dream or render, as JSON')
    .argument('<file>', 'an image, video (.mp4 .webm .gif) or PNG sequence folder written by deepdream')
    .action(async (path: string) => {
      const { readRecipeFile } = await import('../../shared/recipe.js');
      process.stdout.write(`${JSON.stringify(await readRecipeFile(path), null, 2)}\n`);
    });
}
