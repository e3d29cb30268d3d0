/**
 * The `deepdream` program: the command line, with the web studio for `deepdream serve`. The apps
 * never import each other; this is where they are put together.
 */
import { runCli } from './cli/main.js';

/** Runs the program; resolves to the process exit code. */
export function main(argv: readonly string[] = process.argv): Promise<number> {
  return runCli(argv, {
    startStudio: async (settings) => (await import('./server/index.js')).createStudioServer(settings),
  });
}
