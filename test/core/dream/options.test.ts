import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, PRESETS, DEFAULT_PRESET, resolveDreamOptions } from '../../../src/core/dream/options.js';
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
    [{ preset: 'eyes', model: 'vgg' }, /^preset must be used with model 'inception_v3' \(got model 'vgg'\)$/],
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
    () => resolveDreamOptions({ preset: 'eyes', model: 'vgg' }),
    (err: unknown) =>
      err instanceof OptionError &&
      err.messageFor(flag) === "--preset must be used with --model 'inception_v3' (got --model 'vgg')",
  );
});
