/** `deepdream serve`: the web studio, a page where anyone can dream their photos. */
import type { Command } from 'commander';
import { checkInteger, definedOnly, OptionError } from '../../../core/options/checks.js';
import { collect, parseBytes, parseInteger } from '../parse.js';
import { DEFAULT_MAX_SIZE, THREADS } from './dream.js';
import { backendModuleOption, chosenBackend } from '../backend-option.js';
import { chosenDevice, deviceOption } from '../device-option.js';
import type { Device, OrtDevice } from '../../../node/runtime/device.js';
import { untilStopSignal } from '../stop-signal.js';
import { warner } from '../warn.js';

/**
 * Dreams running at once: here one at a time (a dream already uses the CPU's cores); with Redis,
 * enough handed over at once to keep several workers busy.
 */
const CONCURRENCY = { local: 1, redis: 8 } as const;

/** The studio as this command runs it: listening until Ctrl+C, then closed. */
export interface RunningStudio {
  listen(address: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
}

/** Starts the web studio app, which the program passes in: the command line imports no other app. */
export type StartStudio = (settings: {
  concurrency: number;
  /** Queue dreams on this Redis for `deepdream worker` processes instead of running them here. */
  redis?: string;
  /** Receives problems worth a line while the studio runs (a Redis outage). */
  warn: (text: string) => void;
  maxSize: number;
  maxQueuedPerOwner: number;
  maxZoomFrames?: number;
  maxZoomSize?: number;
  dataDir?: string;
  keepDays?: number;
  keepBytes?: number;
  threads?: number;
  device?: OrtDevice;
  backendModule?: string;
  allowedHosts: string[];
  dreamsPerMinute?: number;
  requestsPerMinute?: number;
  log?: (line: string) => void;
}) => Promise<RunningStudio>;

/** Addresses that stand for every interface: no browser should be let to name the studio so. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);

interface ServeFlags {
  port: number;
  host: string;
  data?: string;
  keepDays?: number;
  keepBytes?: number;
  concurrency?: number;
  redis?: string;
  maxQueuedPerOwner: number;
  maxSize: number;
  maxZoomFrames?: number;
  maxZoomSize?: number;
  threads?: number;
  device?: Device;
  verbose?: boolean;
  backendModule?: string;
  allowedHost?: string[];
  dreamsPerMinute?: number;
  requestsPerMinute?: number;
}

export function register(program: Command, startStudio: StartStudio): void {
  program
    .command('serve')
    .description('start the web studio: upload a photo in the browser, pick a look, download the dream')
    .option('--port <n>', 'port to listen on', parseInteger, 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0: every network interface)', '127.0.0.1')
    .option(
      '--concurrency <n>',
      `dreams running at the same time, others wait in a queue (default ${CONCURRENCY.local}; with --redis: dreams handed to the workers at once, default ${CONCURRENCY.redis})`,
      parseInteger,
    )
    .option(
      '--redis <url>',
      'queue dreams on this Redis for `deepdream worker` processes to run (default: run them here)',
    )
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
    .option('--max-queued-per-owner <n>', 'dreams one browser may have waiting or running', parseInteger, 3)
    .option('--max-size <px>', 'scale photos down to this long side', parseInteger, DEFAULT_MAX_SIZE)
    .option('--max-zoom-frames <n>', 'most frames of a zoom made on the page (default 250)', parseInteger)
    .option('--max-zoom-size <px>', "long side of a zoom's frames, at most (default 512)", parseInteger)
    .option('--threads <n>', 'CPU threads per dream (default 2)', parseInteger)
    .option(
      '--allowed-host <name>',
      "another name the studio answers to, like a reverse proxy's (repeatable; default: its addresses and localhost)",
      collect(String),
    )
    .option('--dreams-per-minute <n>', 'dreams one client address may submit per minute (default 10)', parseInteger)
    .option(
      '--requests-per-minute <n>',
      'other requests one client address may make per minute (default 600)',
      parseInteger,
    )
    .addOption(deviceOption())
    .option('--verbose', 'log one line per request')
    .addOption(backendModuleOption())
    .action(async (flags: ServeFlags) => {
      checkInteger('--port', flags.port, { min: 0, max: 65535 });
      if (flags.threads !== undefined) checkInteger('--threads', flags.threads, THREADS);
      if (flags.redis !== undefined && flags.threads !== undefined) {
        throw new OptionError('--threads', 'cannot be combined with --redis (set it on the workers, where dreams run)');
      }
      if (flags.redis !== undefined && flags.device !== undefined) {
        throw new OptionError('--device', 'cannot be combined with --redis (set it on the workers, where dreams run)');
      }
      const device = await chosenDevice(flags);
      const app = await startStudio({
        device,
        concurrency: flags.concurrency ?? (flags.redis === undefined ? CONCURRENCY.local : CONCURRENCY.redis),
        ...(flags.redis !== undefined && { redis: flags.redis }),
        warn: warner({}),
        maxSize: flags.maxSize,
        maxQueuedPerOwner: flags.maxQueuedPerOwner,
        ...definedOnly({
          dataDir: flags.data,
          keepDays: flags.keepDays,
          keepBytes: flags.keepBytes,
          maxZoomFrames: flags.maxZoomFrames,
          maxZoomSize: flags.maxZoomSize,
        }),
        ...(flags.threads !== undefined && { threads: flags.threads }),
        ...chosenBackend(flags),
        // The name given to --host is one the studio answers to.
        allowedHosts: [...(WILDCARD_HOSTS.has(flags.host) ? [] : [flags.host]), ...(flags.allowedHost ?? [])],
        ...(flags.dreamsPerMinute !== undefined && { dreamsPerMinute: flags.dreamsPerMinute }),
        ...(flags.requestsPerMinute !== undefined && { requestsPerMinute: flags.requestsPerMinute }),
        ...(flags.verbose && { log: (line: string) => process.stderr.write(`${line}\n`) }),
      });
      const address = await app.listen({ port: flags.port, host: flags.host });
      process.stderr.write(`Dream studio running at ${address} (press Ctrl+C to stop)\n`);
      await untilStopSignal();
      // New requests get 503, the running dream stops and stays in line for the next start.
      await app.close();
    });
}
