/** `deepdream zoom -o OUT.mp4`: the feedback loop, each frame the dream of the previous one after a camera move. */
import type { Command } from 'commander';
import type { RenderFlags } from '../render/run.js';
import { addFrameDreamOptions } from '../frame-dream-options.js';
import { parseInteger, parseNumber, parseSize, refuse } from '../parse.js';
import { backendModuleOption } from '../backend-option.js';
import { deviceOption } from '../device-option.js';
import { ZOOM_DEFAULTS, ZOOM_DREAM_DEFAULTS } from '../../../core/options/render.js';

interface ZoomFlags extends RenderFlags {
  from?: string;
  frames: number;
  fps: number;
  size?: { width: number; height: number };
  zoom: number;
  rotate: number;
  translate: { x: number; y: number };
  colorLock: number;
}

function parseOffset(value: string): { x: number; y: number } {
  const match = /^\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*$/.exec(value);
  if (!match) refuse('X,Y in pixels per frame, e.g. 2,-1', value);
  return { x: Number(match[1]), y: Number(match[2]) };
}

const EXAMPLES = `
Examples:
  $ deepdream zoom -o zoom.mp4 --frames 300
  $ deepdream zoom -o zoom.webm --from photo.jpg --zoom 1.03 --rotate 0.5
  $ deepdream zoom -o zoom.gif --size 320x180 --schedule mixed5:100,mixed4:100,mixed3:100
  $ deepdream zoom -o frames/%05d.png --layers mixed3,mixed4 --every 50

Frames are saved in OUT.frames/ as they are dreamed: if a render stops, run the same command
again to continue. --color-lock holds brightness and colour near the first frame's.`;

export function register(program: Command): void {
  const command = program
    .command('zoom')
    .description('render an endless dream zoom: each frame dreams the previous one, moved a little')
    .requiredOption('-o, --output <path>', 'video (.mp4 .webm .gif), PNG pattern (frames/%05d.png) or folder/')
    .option('--from <photo>', 'start from this photo instead of grey noise')
    .option('--frames <n>', 'number of frames', parseInteger, ZOOM_DEFAULTS.frames)
    .option('--fps <n>', 'frames per second of the output', parseNumber, ZOOM_DEFAULTS.fps)
    .option('--size <WxH>', "frame size (default: the photo's, else 640x360)", parseSize)
    .option('--zoom <x>', 'scale per frame; above 1 zooms in', parseNumber, ZOOM_DEFAULTS.zoom)
    .option('--rotate <deg>', 'rotation per frame, clockwise', parseNumber, 0)
    .option('--translate <x,y>', 'pixels per frame the picture moves right,down', parseOffset, { x: 0, y: 0 })
    .option(
      '--color-lock <x>',
      "pull each frame's colour statistics this far back to the first frame's, 0..1",
      parseNumber,
      ZOOM_DEFAULTS.colorLock,
    );
  addFrameDreamOptions(command, ZOOM_DREAM_DEFAULTS)
    .addOption(deviceOption())
    .addOption(backendModuleOption())
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ZoomFlags, command: Command) => {
      const { dreamOptionsFromFlags, inputFile, recipeFrom, runRender, scheduleFromFlags, withRecipeSettings } =
        await import('../render/run.js');
      const { prepareZoom, renderZoom } = await import('../../../node/video/zoom.js');
      const { zoomRecipe } = await import('../../shared/recipe.js');
      const recipe = await recipeFrom(flags, 'zoom');
      if (recipe?.from && flags.from === undefined) {
        throw new Error(`the recipe zooms from the photo ${recipe.from.name}: pass it with --from`);
      }
      const options = dreamOptionsFromFlags(flags, recipe?.options ?? ZOOM_DREAM_DEFAULTS);
      const zoomOptions = withRecipeSettings(recipe, command, {
        output: flags.output,
        frames: flags.frames,
        fps: flags.fps,
        ...(flags.size && { size: flags.size }),
        ...(flags.from && { from: flags.from }),
        move: { zoom: flags.zoom, rotate: flags.rotate, translateX: flags.translate.x, translateY: flags.translate.y },
        schedule: scheduleFromFlags(flags, 100),
        colorLock: flags.colorLock,
        seed: options.seed,
        dreamSettings: { ...options },
        restart: flags.restart ?? false,
        keepFrames: flags.keepFrames ?? false,
      });
      const zoom = await prepareZoom(zoomOptions);
      const from = flags.from === undefined ? undefined : await inputFile(flags.from, recipe?.from, flags);
      const embedded = zoomRecipe(zoomOptions, options, from);
      await runRender(options, flags, zoom, (dream, control) =>
        renderZoom({ ...zoom, options: { ...zoom.options, recipe: embedded } }, dream, control),
      );
    });
}
