/** The options `zoom` and `video` share: the layer schedule, the per-frame dream, resuming and output. */
import type { Command } from 'commander';
import { parseInteger, parseNumber } from './parse.js';

export function addFrameDreamOptions(command: Command, defaults: { octaves: number; steps: number }): Command {
  return command
    .option('--schedule <spec>', 'layers over time, layer:frames cycling, e.g. mixed5:100,mixed4:100')
    .option('--layers <a,b,c>', 'cycle through these layers (with --every)')
    .option('--every <n>', 'frames per layer with --layers', parseInteger)
    .option('-m, --model <name>', 'network to dream with')
    .option('-p, --preset <name>', 'a named look')
    .option('--octaves <n>', `scales per frame (default ${defaults.octaves})`, parseInteger)
    .option('--steps <n>', `gradient steps per octave (default ${defaults.steps})`, parseInteger)
    .option('--step-size <x>', 'pixel change per step', parseNumber)
    .option('--jitter <px>', 'random shift per step', parseInteger)
    .option('--tile <px>', 'tile side for large frames', parseInteger)
    .option('--seed <n>', 'base seed (each frame gets its own, derived from it)', parseInteger)
    .option('--restart', 'discard frames saved by an earlier render with other settings')
    .option('--keep-frames', 'keep the work folder of PNG frames after encoding')
    .option('--recipe-from <file>', 'render again with the recipe in an earlier output (flags given override it)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print progress as JSON lines on stdout');
}
