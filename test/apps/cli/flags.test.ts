/** The CLI's one table from option names to flags: complete, and naming flags that exist. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import type { DreamOptionsInput } from '../../../src/core/dream/options.js';
import { OptionError } from '../../../src/core/options/checks.js';
import type { VideoOptions } from '../../../src/node/video/video.js';
import type { ZoomOptions } from '../../../src/node/video/zoom.js';
import { flagName } from '../../../src/apps/cli/flags.js';
import { createProgram } from '../../../src/apps/cli/main.js';
import { errorLine } from '../../../src/apps/shared/errors.js';

// Every option the library can name in an error (the types make these lists complete); file and
// switch options (output, input, keepFrames, preview, dreamSettings, recipe) have no value to refuse.
const dreamOptions: Record<keyof DreamOptionsInput, true> = {
  preset: true,
  model: true,
  layers: true,
  channels: true,
  octaves: true,
  octaveScale: true,
  steps: true,
  stepSize: true,
  normalization: true,
  jitter: true,
  tileSize: true,
  seed: true,
  guide: true,
  class: true,
  blur: true,
  param: true,
};
const zoomOptions: Record<Exclude<keyof ZoomOptions, 'output' | 'keepFrames' | 'dreamSettings' | 'recipe'>, true> = {
  frames: true,
  fps: true,
  size: true,
  from: true,
  move: true,
  schedule: true,
  colorLock: true,
  seed: true,
  restart: true,
};
const videoOptions: Record<
  Exclude<keyof VideoOptions, 'input' | 'output' | 'keepFrames' | 'preview' | 'dreamSettings' | 'recipe'>,
  true
> = {
  start: true,
  end: true,
  maxFrames: true,
  width: true,
  blend: true,
  strength: true,
  schedule: true,
  seed: true,
  restart: true,
};
/**
 * `move` is checked field by field; `every` belongs to the schedule; then the studio's (StudioOptions)
 * and those of models added by hand (AddOptions).
 */
const otherNames = [
  'move.zoom',
  'every',
  'maxSize',
  'maxZoomFrames',
  'maxZoomSize',
  'concurrency',
  'threads',
  'redis',
  'device',
  'name',
  'catalogName',
  'prototxt',
];

function longFlags(command: Command): string[] {
  return [...command.options.map((o) => o.long ?? ''), ...command.commands.flatMap(longFlags)];
}

describe('flagName', () => {
  const notStarted = () => Promise.reject(new Error('not started'));
  const flags = new Set(longFlags(createProgram({ startStudio: notStarted, startWorker: notStarted })));
  const named = [dreamOptions, zoomOptions, videoOptions].flatMap((o) => Object.keys(o)).filter((o) => o !== 'move');

  it('gives every option the library names a flag the CLI has', () => {
    for (const option of [...named, ...otherNames]) {
      assert.ok(flags.has(flagName(option)), `${option} -> ${flagName(option)}`);
    }
  });

  it('renames options as the issue asks', () => {
    assert.deepEqual(
      ['tileSize', 'normalization', 'colorLock', 'maxFrames', 'layers', 'move.zoom', 'octaveScale'].map(flagName),
      ['--tile', '--norm', '--color-lock', '--frames', '--layer', '--zoom', '--octave-scale'],
    );
  });

  it('is applied to the one-line error, with any option the problem mentions', () => {
    const error = new OptionError('colorLock', (name) => `cannot be combined with ${name('maxFrames')}`);
    assert.equal(errorLine(error, flagName), 'deepdream: --color-lock cannot be combined with --frames');
    assert.equal(errorLine(error), 'deepdream: colorLock cannot be combined with maxFrames');
  });
});
