/** `deepdream atlas --layer L -o atlas/`: what every channel of a layer responds to, as a browsable page. */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_MODEL } from '../../../core/dream/options.js';
import { definedOnly, must } from '../../../core/options/checks.js';
import { DEFAULT_VISUALIZE_SETTINGS } from '../../../core/visualize/settings.js';
import type { AtlasProgress, AtlasResult } from '../../../node/atlas/atlas.js';
import { chosenDevice, deviceOption } from '../device-option.js';
import type { Device } from '../../../node/runtime/device.js';
import { createReporter, formatSeconds, progressStyle, type ProgressFormat } from '../../shared/progress.js';
import { reportOutcome, stopOnInterrupt } from '../interrupt.js';
import { parseInteger, parseNumber, refuse } from '../parse.js';

interface AtlasFlags {
  output?: string;
  model: string;
  layer?: string;
  channels?: number[];
  size?: number;
  steps?: number;
  batch?: number;
  learningRate?: number;
  seed?: number;
  threads?: number;
  device?: Device;
  quiet?: boolean;
  json?: boolean;
}

/** "0-63", "5", "0-9,12,40-47": channel indices, each once. */
export function parseChannelRanges(value: string): number[] {
  const channels: number[] = [];
  for (const part of value.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) refuse('channel numbers or ranges, e.g. 0-63 or 3,7,10-12', value);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) refuse('ranges from low to high, e.g. 0-63', value);
    for (let c = first; c <= last; c++) channels.push(c);
  }
  if (new Set(channels).size !== channels.length) throw new InvalidArgumentError(must('list each channel once', value));
  return channels;
}

const EXAMPLES = `
Examples:
  $ deepdream atlas --layer mixed4 -o atlas/                     every channel of mixed4
  $ deepdream atlas --layer mixed2 --channels 0-63 -o atlas/     64 channels, added to the same page
  $ deepdream atlas --model mobilenet_v2 --layer block_6_project_BN --size 160 -o mobilenet-atlas/

Open atlas/index.html in a browser (no server needed). An interrupted atlas continues where it
stopped: run the same command again (images are cached in the folder by model, layer and settings).`;

export function register(program: Command): void {
  const d = DEFAULT_VISUALIZE_SETTINGS;
  program
    .command('atlas')
    .description('render what each channel of a layer responds to, as a static page of images (feature visualization)')
    .option('-o, --output <folder>', 'atlas folder: index.html, manifest.json and the images')
    .option('-m, --model <name>', 'network to visualize', DEFAULT_MODEL)
    .option('-l, --layer <name>', "layer to visualize (default: the model's default layer; see `deepdream layers`)")
    .option('-c, --channels <list>', 'channels, e.g. 0-63 or 3,7,10-12 (default: all)', parseChannelRanges)
    .option('--size <px>', `side of each image (default ${d.size})`, parseInteger)
    .option('--steps <n>', `optimisation steps per image (default ${d.steps})`, parseInteger)
    .option('--batch <n>', `images optimised together per network run (default ${d.batch})`, parseInteger)
    .option('--learning-rate <x>', `step size of the optimiser (default ${d.learningRate})`, parseNumber)
    .option('--seed <n>', `seed of the random start and transforms (default ${d.seed})`, parseInteger)
    .option('--threads <n>', 'CPU threads for the network (default 2)', parseInteger)
    .addOption(deviceOption())
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print progress as JSON lines')
    .addHelpText('after', EXAMPLES)
    .action(runAtlasCommand);
}

async function runAtlasCommand(flags: AtlasFlags): Promise<void> {
  const { output } = flags;
  if (!output) throw new Error('say where to write the atlas with -o FOLDER');
  const { renderAtlas } = await import('../../../node/atlas/atlas.js');
  const reporter = createReporter(progressStyle(flags, process.stderr), process, ATLAS_FORMAT);
  const abort = new AbortController();
  const stopWatching = stopOnInterrupt(abort, 'stopped; run the same command again to continue');
  try {
    await reportOutcome(reporter, abort, async () => {
      const { model, layer, channels, size, steps, batch, learningRate, seed, threads } = flags;
      const device = await chosenDevice(flags);
      reporter.start(layer ?? 'atlas');
      return renderAtlas(
        {
          output,
          model,
          ...definedOnly({ layer, channels, size, steps, batch, learningRate, seed, threads }),
          device,
        },
        { onProgress: (p) => reporter.update(p), signal: abort.signal },
      );
    });
  } finally {
    stopWatching();
  }
}

function summary(p: AtlasProgress): string {
  const parts = [`${p.done}/${p.total} channels`];
  if (p.channelsPerMinute !== undefined) parts.push(`${p.channelsPerMinute.toFixed(1)} channels/min`);
  if (p.etaSeconds !== undefined && p.done < p.total) parts.push(`ETA ${formatSeconds(p.etaSeconds)}`);
  return parts.join(' | ');
}

export const ATLAS_FORMAT: ProgressFormat<AtlasProgress, AtlasResult> = {
  json: {
    progress: (p, layer) => ({ layer, ...p }),
    done: (result) => result,
  },
  lines: {
    progress: (p, layer) => `${layer}: ${summary(p)}\n`,
    done: (r, seconds) =>
      `wrote ${r.page}: ${r.channels} channels of ${r.model} ${r.layer} ` +
      `(${r.rendered} rendered, ${r.cached} already there) in ${formatSeconds(seconds)}\n`,
  },
  bar: {
    format: '{label} {bar} {info}',
    progress: (p, layer) => ({ value: p.done, total: p.total, fields: { label: layer, info: summary(p) } }),
  },
};
