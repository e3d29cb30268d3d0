/** `deepdream explain photo.jpg --layer L -o explain.png`: the channels a photo excites most, and where. */
import type { Command } from 'commander';
import { DEFAULT_MODEL } from '../../../core/dream/options.js';
import { definedOnly } from '../../../core/options/checks.js';
import type { AtlasProgress } from '../../../node/atlas/atlas.js';
import type { PhotoExplanation } from '../../../node/visualize/explain.js';
import { chosenDevice, deviceOption } from '../device-option.js';
import type { Device } from '../../../node/runtime/device.js';
import { createReporter, formatSeconds, progressStyle, type ProgressFormat } from '../../shared/progress.js';
import { parseInteger } from '../parse.js';
import { ATLAS_FORMAT } from './atlas.js';

interface ExplainFlags {
  output?: string;
  model: string;
  layer?: string;
  top?: number;
  atlas?: string;
  maxSize: number;
  threads?: number;
  device?: Device;
  quiet?: boolean;
  json?: boolean;
}

/** Explanations of large photos gain nothing from more pixels than the network's maps hold. */
const DEFAULT_MAX_SIZE = 512;

const EXAMPLES = `
Examples:
  $ deepdream explain photo.jpg -o explain.png
  $ deepdream explain photo.jpg --layer mixed2 --top 16 -o explain.jpg --atlas atlas/

Each channel's visualization comes from the atlas folder (--atlas; default: the user cache),
rendered there when missing, so explaining more photos gets faster.`;

export function register(program: Command): void {
  program
    .command('explain')
    .argument('<photo>', 'photo to explain')
    .description('show the channels of a layer that respond most to a photo: what each responds to, and where it fires')
    .option('-o, --output <image>', 'the explanation: one image, per channel its visualization and heat map')
    .option('-m, --model <name>', 'network to explain with', DEFAULT_MODEL)
    .option('-l, --layer <name>', "layer whose channels explain the photo (default: the model's default layer)")
    .option('--top <n>', 'how many channels (default 9)', parseInteger)
    .option('--atlas <folder>', 'atlas folder to take visualizations from and add them to')
    .option(
      '--max-size <px>',
      `scale the photo to at most this many pixels on the long side`,
      parseInteger,
      DEFAULT_MAX_SIZE,
    )
    .option('--threads <n>', 'CPU threads for the network (default 2)', parseInteger)
    .addOption(deviceOption())
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print progress and the channels as JSON lines')
    .addHelpText('after', EXAMPLES)
    .action(runExplainCommand);
}

async function runExplainCommand(photoPath: string, flags: ExplainFlags): Promise<void> {
  if (!flags.output) throw new Error('say where to write the explanation with -o IMAGE');
  const { explainPhoto, explanationMontage } = await import('../../../node/visualize/explain.js');
  const { readImage } = await import('../../../node/image/read.js');
  const { writeImage, isOutputImagePath, OUTPUT_EXTENSIONS } = await import('../../../node/image/index.js');
  if (!isOutputImagePath(flags.output))
    throw new Error(`cannot write ${flags.output}: unknown image extension (use ${OUTPUT_EXTENSIONS.join(', ')})`);
  const { image } = await readImage(photoPath, { maxSize: flags.maxSize });
  const reporter = createReporter(progressStyle(flags, process.stderr), process, EXPLAIN_FORMAT);
  const started = performance.now();
  try {
    const { model, layer, top, atlas, threads } = flags;
    const device = await chosenDevice(flags);
    reporter.start(photoPath);
    const explanation = await explainPhoto(
      image,
      { model, device, ...definedOnly({ layer, top, atlas, threads }) },
      {
        onProgress: (p) => reporter.update(p),
      },
    );
    await writeImage(flags.output, explanationMontage(explanation));
    reporter.done({ ...explanation, output: flags.output }, (performance.now() - started) / 1000);
  } catch (err) {
    reporter.stop();
    throw err;
  }
}

type Explained = PhotoExplanation & { output: string };

const channelList = (e: Explained) => e.channels.map((c) => ({ channel: c.channel, activation: c.activation }));

const EXPLAIN_FORMAT: ProgressFormat<AtlasProgress, Explained> = {
  json: {
    progress: ATLAS_FORMAT.json.progress,
    done: (e, photo) => ({ photo, model: e.model, layer: e.layer, output: e.output, channels: channelList(e) }),
  },
  lines: {
    progress: ATLAS_FORMAT.lines.progress,
    done: (e, seconds, photo) =>
      `${photo}: the ${e.channels.length} channels of ${e.model} ${e.layer} it excites most\n` +
      channelList(e)
        .map((c) => `  channel ${String(c.channel).padStart(4)}  mean activation ${c.activation.toFixed(3)}\n`)
        .join('') +
      `wrote ${e.output} in ${formatSeconds(seconds)}\n`,
  },
  bar: ATLAS_FORMAT.bar,
};
