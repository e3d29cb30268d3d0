/** `deepdream serve`: the web studio, a page where anyone can dream their photos. */
import type { Command } from 'commander';
import { checkInteger, definedOnly } from '../../../core/options/checks.js';
import { parseBytes, parseInteger } from '../parse.js';
import { DEFAULT_MAX_SIZE, THREADS } from './dream.js';
import { backendModuleOption, chosenBackend } from '../backend-option.js';

/** The studio as this command runs it: listening until Ctrl+C, then closed. */
export interface RunningStudio {
  listen(address: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
}

/** Starts the web studio app, which the program passes in: the command line imports no other app. */
export type StartStudio = (settings: {
  concurrency: number;
  maxSize: number;
  maxQueuedPerOwner: number;
  dataDir?: string;
  keepDays?: number;
  keepBytes?: number;
  threads?: number;
  backendModule?: string;
  log?: (line: string) => void;
}) => Promise<RunningStudio>;

interface ServeFlags {
  port: number;
  host: string;
  data?: string;
  keepDays?: number;
  keepBytes?: number;
  concurrency: number;
  maxQueuedPerOwner: number;
  maxSize: number;
  threads?: number;
  verbose?: boolean;
  backendModule?: string;
}

export function register(program: Command, startStudio: StartStudio): void {
  program
    .command('serve')
    .description('start the web studio: upload a photo in the browser, pick a look, download the dream')
    .option('--port <n>', 'port to listen on', parseInteger, 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0: every network interface)', '127.0.0.1')
    .option(
      '--data <dir>',
      'folder that keeps the dreams across restarts (default $XDG_DATA_HOME/inceptionism/studio or ~/.local/share/inceptionism/studio)',
    )
    .option('--keep-days <n>', 'delete finished dreams after this many days (default: keep them)', parseInteger)
    .option(
      '--keep-bytes <size>',
      'delete the oldest finished dreams beyond this size, like 2G (default: keep them)',
      parseBytes,
    )
    .option('--concurrency <n>', 'dreams running at the same time; others wait in a queue', parseInteger, 1)
    .option('--max-queued-per-owner <n>', 'dreams one browser may have waiting or running', parseInteger, 3)
    .option('--max-size <px>', 'scale photos down to this long side', parseInteger, DEFAULT_MAX_SIZE)
    .option('--threads <n>', 'CPU threads per dream (default 2)', parseInteger)
    .option('--verbose', 'log one line per request')
    .addOption(backendModuleOption())
    .action(async (flags: ServeFlags) => {
      checkInteger('--port', flags.port, { min: 0, max: 65535 });
      if (flags.threads !== undefined) checkInteger('--threads', flags.threads, THREADS);
      const app = await startStudio({
        concurrency: flags.concurrency,
        maxSize: flags.maxSize,
        maxQueuedPerOwner: flags.maxQueuedPerOwner,
        ...definedOnly({ dataDir: flags.data, keepDays: flags.keepDays, keepBytes: flags.keepBytes }),
        ...(flags.threads !== undefined && { threads: flags.threads }),
        ...chosenBackend(flags),
        ...(flags.verbose && { log: (line: string) => process.stderr.write(`${line}\n`) }),
      });
      const address = await app.listen({ port: flags.port, host: flags.host });
      process.stderr.write(`Dream studio running at ${address} (press Ctrl+C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // New requests get 503, the running dream stops and stays in line for the next start.
      await app.close();
    });
}
