import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { octaveSizes } from '../../../src/core/dream/octaves.js';
import {
  DEFAULT_OPTIONS,
  PRESETS,
  DEFAULT_PRESET,
  octavesForSize,
  resolveDreamOptions,
  type DreamOptionsInput,
} from '../../../src/core/dream/options.js';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { OptionError } from '../../../src/core/options/checks.js';

test('defaults come from the default preset and DEFAULT_OPTIONS', () => {
  const o = resolveDreamOptions();
  assert.equal(o.model, 'inception_v3');
  assert.equal(o.octaves, DEFAULT_OPTIONS.octaves);
  assert.equal(o.seed, 0);
  assert.deepEqual(o.layers, PRESETS[DEFAULT_PRESET]!.options.layers);
  assert.equal(o.guide, undefined);
});

test('caller values override the preset, undefined values do not', () => {
  const o = resolveDreamOptions({ preset: 'objects', steps: 3, octaves: undefined });
  assert.equal(o.steps, 3);
  assert.equal(o.octaves, PRESETS.objects!.options.octaves);
  assert.deepEqual(o.layers, PRESETS.objects!.options.layers);
});

test('explicit layers replace the default preset; other models start with no layers', () => {
  assert.deepEqual(resolveDreamOptions({ layers: [{ name: 'mixed3', weight: 2 }] }).layers, [
    { name: 'mixed3', weight: 2 },
  ]);
  assert.deepEqual(resolveDreamOptions({ model: 'other' }).layers, []);
});

test('resolved options are copies, not aliases of the input or presets', () => {
  const layers = [{ name: 'mixed3', weight: 1 }];
  const o = resolveDreamOptions({ layers, channels: [1, 2] });
  layers[0]!.weight = 5;
  assert.equal(o.layers[0]!.weight, 1);
  o.layers[0]!.name = 'changed';
  assert.notEqual(resolveDreamOptions().layers[0]!.name, 'changed');
});

test('out-of-range values give one-line errors naming the option', () => {
  const cases: [object, RegExp][] = [
    [{ octaves: 0 }, /^octaves must be an integer from 1 to 12 \(got 0\)$/],
    [{ octaves: 2.5 }, /^octaves must be an integer/],
    [{ octaveScale: 1 }, /^octaveScale must be a number from 1.05 to 4/],
    [{ steps: -1 }, /^steps must be an integer from 1 to 1000/],
    [{ stepSize: Number.NaN }, /^stepSize must be a number/],
    [{ normalization: 'l2' }, /^normalization must be one of meanAbs, std, laplacian \(got 'l2'\)$/],
    [{ jitter: 1000 }, /^jitter must be an integer from 0 to 512/],
    [{ tileSize: 32 }, /^tileSize must be an integer from 64 to 2048/],
    [{ seed: -1 }, /^seed must be an integer from 0 to 4294967295/],
    [{ layers: [{ name: '', weight: 1 }] }, /^layers must have non-empty names \(got ''\)$/],
    [{ layers: [{ name: 'a', weight: 0 }] }, /^layers must have a non-zero weight for 'a' \(got 0\)$/],
    [
      {
        layers: [
          { name: 'a', weight: 1 },
          { name: 'a', weight: 1 },
        ],
      },
      /^layers must list each layer once \(got 'a' twice\)$/,
    ],
    [{ channels: [] }, /^channels must be a non-empty list of channel indices$/],
    [{ channels: [1.5] }, /^channels must be non-negative integers \(got 1\.5\)$/],
    [{ channels: [3, 3] }, /^channels must list each channel once \(got 3 twice\)$/],
    [{ preset: 'nope' }, /^preset must be one of eyes, textures, objects \(got 'nope'\)$/],
    [{ preset: 'constructor' }, /^preset must be one of eyes, textures, objects \(got 'constructor'\)$/],
    [
      { preset: 'objects', class: 'banana' },
      /^class cannot be combined with preset: the class logit is the objective$/,
    ],
    [{ model: '' }, /^model must be a non-empty name \(got ''\)$/],
    [{ blur: 11 }, /^blur must be a number from 0 to 10 \(got 11\)$/],
    [{ octave: 3 }, /^octave is not a dream option$/],
    [{ guide: { width: 2, height: 2, data: new Float32Array(3) } }, /^guide must be an RGB image/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => resolveDreamOptions(input as never), { message }, JSON.stringify(input));
  }
});

test('a valid guide image is accepted', () => {
  const guide = createRgbImage(4, 3);
  assert.equal(resolveDreamOptions({ guide }).guide, guide);
});

test('errors carry the option, and other options they mention, for callers to rename', () => {
  const flag = (option: string) => `--${option}`;
  assert.throws(
    () => resolveDreamOptions({ tileSize: 32 }),
    (err: unknown) =>
      err instanceof OptionError &&
      err.option === 'tileSize' &&
      err.problem === 'must be an integer from 64 to 2048 (got 32)' &&
      err.messageFor(flag) === '--tileSize must be an integer from 64 to 2048 (got 32)',
  );
  assert.throws(
    () => resolveDreamOptions({ class: 'banana', channels: [1] }),
    (err: unknown) =>
      err instanceof OptionError &&
      err.messageFor(flag) === '--class cannot be combined with --channels: the class logit is the objective',
  );
});

describe('presets on models other than the default', () => {
  it('keep the hand-picked InceptionV3 layers on the default model', () => {
    const layer = (preset: string) => resolveDreamOptions({ preset }).layers;
    assert.deepEqual(layer('eyes'), [{ name: 'mixed4', weight: 1 }]);
    assert.deepEqual(layer('textures'), [{ name: 'mixed1', weight: 1 }]);
    assert.deepEqual(layer('objects'), [{ name: 'mixed5', weight: 1 }]);
  });

  it('name their layers by depth (eyes: the default layer), with the same octaves', () => {
    const resolved = (preset: string) => {
      const { layers, octaves } = resolveDreamOptions({ preset, model: 'vgg' });
      return { layers, octaves };
    };
    assert.deepEqual(resolved('eyes'), { layers: [], octaves: 4 });
    assert.deepEqual(resolved('textures'), { layers: [{ name: '@0.333', weight: 1 }], octaves: 3 });
    assert.deepEqual(resolved('objects'), { layers: [{ name: '@1', weight: 1 }], octaves: 5 });
  });

  it("give way to the caller's layers", () => {
    const layers = [{ name: 'conv1', weight: 2 }];
    assert.deepEqual(resolveDreamOptions({ preset: 'objects', model: 'vgg', layers }).layers, layers);
  });
});

describe('an octave count left unset follows the image size', () => {
  const landscape = (side: number) => ({ width: side, height: Math.round((side * 2) / 3) });
  const octaves = (side: number, input: DreamOptionsInput = {}) => resolveDreamOptions(input, landscape(side)).octaves;

  it('keeps the largest features the same share of the picture at 512, 1024, 2500 and 4096 px', () => {
    const sides = [512, 1024, 2500, 4096];
    assert.deepEqual(
      sides.map((side) => octaves(side)),
      [2, 4, 7, 8],
    );
    // The largest features are dreamed at the smallest octave, in network pixels: their share of
    // the picture is 1 / that octave's width. It stays a 1024-px photo's within one rounding of
    // the octave count (a factor sqrt(1.4)); 4 octaves at 2500 px would make it 2.4 times smaller.
    const smallestWidth = (side: number, count = octaves(side)) => {
      const { width, height } = landscape(side);
      return octaveSizes(width, height, count, 1.4, 1)[0]!.width;
    };
    for (const side of sides) {
      const ratio = smallestWidth(side) / smallestWidth(1024);
      assert.ok(ratio > 1 / Math.sqrt(1.4) && ratio < Math.sqrt(1.4), `${side} px: ${ratio.toFixed(3)}`);
    }
    assert.ok(smallestWidth(2500, 4) / smallestWidth(1024) > 2.4);
  });

  it("counts a preset's or the default octaves for a 1024-px photo, at any octave scale", () => {
    assert.equal(octaves(1024), DEFAULT_OPTIONS.octaves);
    assert.equal(octaves(2500, { preset: 'objects' }), 8);
    assert.equal(octaves(2500, { preset: 'textures' }), 6);
    assert.equal(octaves(1024, { octaveScale: 2 }), 4);
    assert.equal(octaves(2048, { octaveScale: 2 }), 5);
    assert.equal(octaves(900), 4);
    assert.equal(octaves(100), 1, 'never fewer than one');
    assert.equal(octavesForSize(4, 1.05, 4096), 12, 'never more than the options allow');
  });

  it('leaves a count the caller set, a class visualization and a dream without an image as they are', () => {
    assert.equal(octaves(2500, { octaves: 4 }), 4);
    assert.equal(octaves(512, { preset: 'objects', octaves: 5 }), 5);
    assert.equal(octaves(2500, { class: 'banana' }), DEFAULT_OPTIONS.octaves);
    assert.equal(resolveDreamOptions({}).octaves, DEFAULT_OPTIONS.octaves);
  });
});
