/** The main command: `deepdream IN... -o OUT [options]`. */
import type { Command } from 'commander';
import {
  DEFAULT_MODEL,
  DEFAULT_OPTIONS,
  DEFAULT_PRESET,
  IMAGE_PARAMS,
  NORMALIZATIONS,
  OCTAVE_REFERENCE_SIDE,
  PRESETS,
} from '../../../core/dream/options.js';
import type { Range } from '../../../core/options/checks.js';
import type { DreamFlags } from '../run-dream.js';
import { collect, collectList, oneOf, parseInteger, parseNumber, parseSize } from '../parse.js';
import { backendModuleOption } from '../backend-option.js';
import { deviceOption } from '../device-option.js';

export const DEFAULT_MAX_SIZE = 1024;
/** CPU threads a dream may use (--threads). */
export const THREADS: Range = { min: 1, max: 256 };

const EXAMPLES = `
Examples:
  $ deepdream photo.jpg -o dream.png
  $ deepdream photo.jpg -o dream.jpg --preset textures --seed 7
  $ deepdream photo.jpg -o dream.png --layer mixed3 --layer mixed5:1.5 --steps 20
  $ deepdream photo.jpg -o dream.png --channel 42 --octaves 5
  $ deepdream photo.jpg -o dream.png --guide flowers.jpg
  $ deepdream photos/ -o dreams/                     every photo in a folder
  $ deepdream --from-noise 1024x768 -o noise.png     dream from grey noise
  $ deepdream --from-noise 512x512 --param fourier -o noise.png   sharper, colourful shapes from noise
  $ deepdream --from-noise 224x224 --model bvlc_googlenet --class banana -o banana.png
                                                     what a classifier thinks a banana looks like
  $ deepdream photo.jpg -o again.png --recipe-from dream.png
  $ deepdream layers --model mobilenet_v2            layers you can dream
  $ deepdream recipe dream.png                       how a dream was made

Environment: DEEPDREAM_DEBUG=1 prints stack traces; DEEPDREAM_BACKEND_MODULE=<module>
replaces the bundled networks with a module exporting createBackend (see src/core/dream/backend.ts).`;

export function register(program: Command): void {
  const d = DEFAULT_OPTIONS;
  const presets = Object.entries(PRESETS)
    .map(([name, p]) => `${name} (${p.description})`)
    .join('; ');
  program
    .description('DeepDream photos with ONNX Runtime: amplify what a neural network sees in them')
    .argument('[inputs...]', 'photos, or folders of photos, to dream')
    .option('-o, --output <path>', 'output image (.png .jpg .webp .avif .tif), or a folder for several photos')
    .option('-m, --model <name>', `network to dream with (default ${DEFAULT_MODEL}; also mobilenet_v2)`)
    .option(
      '-l, --layer <name[:weight]>',
      'layer to amplify, repeatable, with an optional weight (see `deepdream layers`)',
      collect(String),
    )
    .option(
      '-c, --channel <index>',
      'amplify only these channels of the layers; repeatable or comma-separated',
      collectList(parseInteger),
    )
    .option('-g, --guide <image>', 'guided dream: steer towards the features of this image')
    .option(
      '--class <label>',
      'class visualization: maximise this class (label or number) of a model with a classifier head, instead of layers',
    )
    .option(
      '--blur <sigma>',
      `blur the image by this many pixels after every step (default ${d.blur}; 0.5 with --class)`,
      parseNumber,
    )
    .option('-p, --preset <name>', `a named look (default ${DEFAULT_PRESET} when no --layer): ${presets}`)
    .option(
      '--octaves <n>',
      `number of scales (default ${d.octaves} at ${OCTAVE_REFERENCE_SIDE} px; more for larger photos, fewer for smaller)`,
      parseInteger,
    )
    .option('--octave-scale <x>', `size ratio between scales (default ${d.octaveScale})`, parseNumber)
    .option('--steps <n>', `gradient ascent steps per octave (default ${d.steps})`, parseInteger)
    .option('--step-size <x>', `pixel change per step (default ${d.stepSize})`, parseNumber)
    .option(
      '--norm <kind>',
      `gradient normalization: ${NORMALIZATIONS.join(', ')} (default ${d.normalization})`,
      oneOf(NORMALIZATIONS),
    )
    .option(
      '--param <kind>',
      `how the image is held while dreamed: ${IMAGE_PARAMS.join(', ')} (default pixel; fourier: a decorrelated-colour spectrum, as in feature visualization: brighter channels from noise)`,
      oneOf(IMAGE_PARAMS),
    )
    .option('--jitter <px>', `random shift per step, in pixels (default ${d.jitter})`, parseInteger)
    .option('--tile <px>', `side of the tiles large images are dreamed in (default ${d.tileSize})`, parseInteger)
    .option('--seed <n>', `seed of the random shifts and noise (default ${d.seed})`, parseInteger)
    .option('--from-noise <WxH>', 'dream from grey noise of this size instead of a photo', parseSize)
    .option(
      '--max-size <px>',
      'scale photos down to this long side first; 0 keeps the full size',
      parseInteger,
      DEFAULT_MAX_SIZE,
    )
    .option('--threads <n>', 'CPU threads for the network (default 2)', parseInteger)
    .addOption(deviceOption())
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print progress as JSON lines on stdout')
    .option(
      '--recipe-from <image>',
      'dream again with the recipe embedded in an earlier dream (flags given override it)',
    )
    .addOption(backendModuleOption())
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], flags: DreamFlags, command: Command) => {
      const { runDreamCommand } = await import('../run-dream.js');
      await runDreamCommand(inputs, flags, (key) => command.getOptionValueSource(key) === 'cli');
    });
}
