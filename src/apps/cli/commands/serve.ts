/** `deepdream serve`: the web studio, a page where anyone can dream their photos. */
import type { Command } from 'commander';
import { checkInteger } from '../../../core/options/checks.js';
import { parseInteger } from '../parse.js';
import { DEFAULT_MAX_SIZE, THREADS } from './dream.js';
import { backendModuleOption, chosenBackend } from '../backend-option.js';
import { chosenDevice, deviceOption } from '../device-option.js';
import type { Device, OrtDevice } from '../../../node/runtime/device.js';

/** The studio as this command runs it: listening until Ctrl+C, then closed. */
export interface RunningStudio {
  listen(address: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
}

/** Starts the web studio app, which the program passes in: the command line imports no other app. */
export type StartStudio = (settings: {
  concurrency: number;
  maxSize: number;
  threads?: number;
  device?: OrtDevice;
  backendModule?: string;
  log?: (line: string) => void;
}) => Promise<RunningStudio>;

interface ServeFlags {
  port: number;
  host: string;
  concurrency: number;
  maxSize: number;
  threads?: number;
  device?: Device;
  verbose?: boolean;
  backendModule?: string;
}

export function register(program: Command, startStudio: StartStudio): void {
  program
    .command('serve')
    .description('start the web studio: upload a photo in the browser, pick a look, download the dream')
    .option('--port <n>', 'port to listen on', parseInteger, 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0: every network interface)', '127.0.0.1')
    .option('--concurrency <n>', 'dreams running at the same time; others wait in a queue', parseInteger, 1)
    .option('--max-size <px>', 'scale photos down to this long side', parseInteger, DEFAULT_MAX_SIZE)
    .option('--threads <n>', 'CPU threads per dream (default 2)', parseInteger)
    .addOption(deviceOption())
    .option('--verbose', 'log one line per request')
    .addOption(backendModuleOption())
    .action(async (flags: ServeFlags) => {
      checkInteger('--port', flags.port, { min: 0, max: 65535 });
      if (flags.threads !== undefined) checkInteger('--threads', flags.threads, THREADS);
      const device = await chosenDevice(flags);
      const app = await startStudio({
        device,
        concurrency: flags.concurrency,
        maxSize: flags.maxSize,
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
      await app.close();
    });
}
