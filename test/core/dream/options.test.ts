import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, PRESETS, DEFAULT_PRESET, resolveDreamOptions } from '../../../src/core/dream/options.js';
import { createRgbImage } from '../../../src/core/image/rgb.js';

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
    [{ layers: [{ name: '', weight: 1 }] }, /^every layer needs a non-empty name$/],
    [{ layers: [{ name: 'a', weight: 0 }] }, /^layer 'a' weight must be a non-zero number/],
    [
      {
        layers: [
          { name: 'a', weight: 1 },
          { name: 'a', weight: 1 },
        ],
      },
      /^layer 'a' is listed twice$/,
    ],
    [{ channels: [] }, /^channels must be a non-empty list/],
    [{ channels: [1.5] }, /^channels must be non-negative integers/],
    [{ preset: 'nope' }, /^unknown preset 'nope' \(known: eyes, textures, objects\)$/],
    [{ preset: 'eyes', model: 'vgg' }, /^presets are made for model 'inception_v3', not 'vgg'$/],
    [{ octave: 3 }, /^unknown dream option 'octave'$/],
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
