/**
 * The `deepdream` command line. Each subcommand lives in commands/<name>.ts and registers itself
 * on the program; heavy modules (sharp, ONNX Runtime, models) load only when a command runs.
 */
import { Command, CommanderError } from 'commander';
import * as atlasCommand from './commands/atlas.js';
import * as dreamCommand from './commands/dream.js';
import * as explainCommand from './commands/explain.js';
import * as layersCommand from './commands/layers.js';
import * as modelsCommand from './commands/models.js';
import * as recipeCommand from './commands/recipe.js';
import * as serveCommand from './commands/serve.js';
import * as videoCommand from './commands/video.js';
import * as workerCommand from './commands/worker.js';
import * as zoomCommand from './commands/zoom.js';
import { describeError, errorLine, PROGRAM_NAME } from '../shared/errors.js';
import { Interrupted } from './interrupt.js';
import { flagName } from './flags.js';
import { nameFlagProblems } from './parse.js';
import { programVersion } from '../shared/version.js';

/** The apps the command line starts, passed in by the program (apps do not import each other). */
export interface CliApps {
  startStudio: serveCommand.StartStudio;
  startWorker: workerCommand.StartWorker;
}

export function createProgram(apps: CliApps): Command {
  const program = new Command(PROGRAM_NAME)
    .version(programVersion(), '-V, --version')
    // Subcommand options stay with their subcommand: `deepdream layers --model m` is not the main --model.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError();
  dreamCommand.register(program);
  atlasCommand.register(program);
  explainCommand.register(program);
  layersCommand.register(program);
  modelsCommand.register(program);
  recipeCommand.register(program);
  serveCommand.register(program, apps.startStudio);
  videoCommand.register(program);
  workerCommand.register(program, apps.startWorker);
  zoomCommand.register(program);
  nameFlagProblems(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. Errors are printed as one line on stderr. */
export async function runCli(argv: readonly string[], apps: CliApps): Promise<number> {
  try {
    await createProgram(apps).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // --help and --version end through the same path, with exit code 0.
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    if (err instanceof Interrupted) {
      if (!err.quiet) process.stderr.write(`${errorLine(err)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`${describeError(err, flagName)}\n`);
    return err instanceof CommanderError ? Math.max(err.exitCode, 1) : 1;
  }
}
