/** `deepdream video IN -o OUT`: every frame dreamed, the dream carried along the motion, the audio kept. */
import type { Command } from 'commander';
import type { RenderFlags } from '../render/run.js';
import { addFrameDreamOptions } from '../frame-dream-options.js';
import { parseInteger, parseNumber, refuse } from '../parse.js';
import { backendModuleOption } from '../backend-option.js';
import { deviceOption } from '../device-option.js';

interface VideoFlags extends RenderFlags {
  blend: number;
  strength?: number;
  start?: number;
  end?: number;
  frames?: number;
  width?: number;
  preview?: boolean;
}

/** Per-frame dream settings: each frame starts from the previous dream, so fewer steps suffice. */
export const VIDEO_DREAM_DEFAULTS = { octaves: 3, steps: 6 };
/** --preview: quick and rough. */
const PREVIEW_DREAM_DEFAULTS = { octaves: 2, steps: 3 };

/** "12.5", "1:02.5" or "0:01:02.5" -> seconds. */
export function parseTime(value: string): number {
  const match = /^\s*(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!match) refuse('seconds (12.5) or a time (1:02.5, 0:01:02.5)', value);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3]);
}

const EXAMPLES = `
Examples:
  $ deepdream video clip.mp4 -o dream.mp4
  $ deepdream video clip.mp4 -o dream.mp4 --start 5 --end 9 --blend 0.6
  $ deepdream video clip.mp4 -o look.mp4 --preview       quick look: small, few steps
  $ deepdream video clip.mov -o dream.webm --schedule mixed4:48,mixed5:48

Frames are saved in OUT.frames/ as they are dreamed: if a render stops, run the same command
again to continue.`;

export function register(program: Command): void {
  const command = program
    .command('video')
    .description('dream every frame of a video, following its motion (optical flow), keeping its sound')
    .argument('<input>', 'video file to dream')
    .requiredOption('-o, --output <path>', 'video (.mp4 .webm .gif), PNG pattern (frames/%05d.png) or folder/')
    .option(
      '--blend <x>',
      'weight of the previous dream carried along the motion, 0..1 (0: each frame alone)',
      parseNumber,
      0.5,
    )
    .option(
      '--strength <x>',
      "scale each frame's dream by this (default 1); with --blend it builds up to about strength / (1 - blend)",
      parseNumber,
    )
    .option('--start <time>', 'start this far into the input', parseTime)
    .option('--end <time>', 'stop at this time of the input', parseTime)
    .option('--frames <n>', 'dream at most this many frames', parseInteger)
    .option('--width <px>', "output width; the height keeps the aspect ratio (default: the input's)", parseInteger)
    .option('--preview', 'quick look: at most 320 px wide and fewer steps');
  addFrameDreamOptions(command, VIDEO_DREAM_DEFAULTS)
    .addOption(deviceOption())
    .addOption(backendModuleOption())
    .addHelpText('after', EXAMPLES)
    .action(async (input: string, flags: VideoFlags, command: Command) => {
      const { dreamOptionsFromFlags, inputFile, recipeFrom, runRender, scheduleFromFlags, withRecipeSettings } =
        await import('../render/run.js');
      const { prepareVideo, renderVideo } = await import('../../../node/video/video.js');
      const { videoRecipe } = await import('../../shared/recipe.js');
      const recipe = await recipeFrom(flags, 'video');
      const defaults = flags.preview ? PREVIEW_DREAM_DEFAULTS : VIDEO_DREAM_DEFAULTS;
      const options = dreamOptionsFromFlags(flags, recipe?.options ?? defaults);
      const videoOptions = withRecipeSettings(recipe, command, {
        input,
        output: flags.output,
        ...(flags.start !== undefined && { start: flags.start }),
        ...(flags.end !== undefined && { end: flags.end }),
        ...(flags.frames !== undefined && { maxFrames: flags.frames }),
        ...(flags.width !== undefined && { width: flags.width }),
        preview: flags.preview ?? false,
        blend: flags.blend,
        ...(flags.strength !== undefined && { strength: flags.strength }),
        schedule: scheduleFromFlags(flags, 100),
        seed: options.seed,
        dreamSettings: { ...options },
        restart: flags.restart ?? false,
        keepFrames: flags.keepFrames ?? false,
      });
      const video = await prepareVideo(videoOptions);
      const embedded = videoRecipe(videoOptions, options, await inputFile(input, recipe?.input, flags));
      await runRender(options, flags, video, (dream, control) =>
        renderVideo({ ...video, options: { ...video.options, recipe: embedded } }, dream, control),
      );
    });
}
