/** `deepdream worker`: runs the dreams a studio started with `--redis` queues, on this machine. */
import type { Command } from 'commander';
import { checkInteger } from '../../../core/options/checks.js';
import { backendModuleOption, chosenBackend } from '../backend-option.js';
import { chosenDevice, deviceOption } from '../device-option.js';
import type { Device } from '../../../node/runtime/device.js';
import type { DreamWorkerSettings } from '../../shared/distributed/worker-settings.js';
import { parseInteger } from '../parse.js';
import { untilStopSignal } from '../stop-signal.js';
import { THREADS } from './dream.js';

/** A worker as this command runs it: taking dreams until Ctrl+C, then closed. */
export interface RunningWorker {
  close(): Promise<unknown>;
}

/** Starts the worker app, which the program passes in: the command line imports no other app. */
export type StartWorker = (settings: DreamWorkerSettings) => Promise<RunningWorker>;

interface WorkerFlags {
  redis: string;
  concurrency: number;
  threads?: number;
  device?: Device;
  backendModule?: string;
}

export function register(program: Command, startWorker: StartWorker): void {
  program
    .command('worker')
    .description('run the dreams of a studio started with --redis (any number of workers, on any machine)')
    .requiredOption('--redis <url>', 'the Redis the studio queues its dreams on, e.g. redis://127.0.0.1:6379')
    .option('--concurrency <n>', 'dreams this worker runs at the same time', parseInteger, 1)
    .option('--threads <n>', 'CPU threads per dream (default 2)', parseInteger)
    .addOption(deviceOption())
    .addOption(backendModuleOption())
    .action(async (flags: WorkerFlags) => {
      checkInteger('--concurrency', flags.concurrency, { min: 1, max: 64 });
      if (flags.threads !== undefined) checkInteger('--threads', flags.threads, THREADS);
      const device = await chosenDevice(flags);
      const worker = await startWorker({
        device,
        redis: flags.redis,
        concurrency: flags.concurrency,
        ...(flags.threads !== undefined && { threads: flags.threads }),
        ...chosenBackend(flags),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      await untilStopSignal();
      await worker.close();
    });
}
