/** Class visualization with a real (tiny) classifier installed like a user's model. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dreamInProcess } from '../../../src/node/dream/in-process.js';
import { gaussianBlur } from '../../../src/core/dream/blur.js';
import { classTarget } from '../../../src/core/dream/class-target.js';
import { modelBackend } from '../../../src/node/dream/model-backend.js';
import { resolveDreamOptions } from '../../../src/core/dream/options.js';
import { noiseImage } from '../../../src/core/dream/random.js';
import { readImage } from '../../../src/node/image/read.js';
import { readRecipe } from '../../../src/node/image/recipe.js';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import { TORCH_IMAGENET_PREPROCESSING } from '../../../src/core/models/descriptor.js';
import { loadModel } from '../../../src/node/models/index.js';
import { addModel, loadInstalledModel } from '../../../src/node/models/installed.js';
import type { LoadedModel } from '../../../src/core/models/types.js';

const FIXTURE = new URL('../../fixtures/onnx/tiny_classifier.onnx', import.meta.url).pathname;
const BIN = new URL('../../../bin/deepdream.js', import.meta.url).pathname;
const LABELS = ['apple', 'banana', 'cherry', 'date', 'elderberry', 'fig', 'grape'];
const MODEL = 'tiny_classifier';

/** The 7 logits of a 9x9 image (the fixture's Flatten + Gemm head takes no other size). */
async function logits(model: LoadedModel, image: RgbImage): Promise<number[]> {
  const tensor = classTarget(model, 'banana').objective.terms[0]!.layer;
  return [...(await modelBackend(model).activations(tensor, image)).data];
}

function deepdream(args: string[], cache: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, INCEPTIONISM_CACHE_DIR: cache, DEEPDREAM_BACKEND_MODULE: '' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('class visualization', () => {
  let cache = '';
  let model: LoadedModel;
  let bundled: LoadedModel;
  const previousCache = process.env['INCEPTIONISM_CACHE_DIR'];
  before(async () => {
    cache = await mkdtemp(join(tmpdir(), 'inceptionism-class-'));
    process.env['INCEPTIONISM_CACHE_DIR'] = cache;
    await addModel(FIXTURE, { descriptor: { preprocessing: TORCH_IMAGENET_PREPROCESSING, labels: LABELS } });
    model = loadInstalledModel(MODEL);
    bundled = await loadModel('inception_v3');
  });
  after(async () => {
    if (previousCache === undefined) delete process.env['INCEPTIONISM_CACHE_DIR'];
    else process.env['INCEPTIONISM_CACHE_DIR'] = previousCache;
    await rm(cache, { recursive: true, force: true });
  });

  it('targets one logit by name or number; a Flatten + Gemm head fixes the input size', () => {
    const target = classTarget(model, 'Banana');
    assert.equal(target.objective.terms.length, 1);
    assert.deepEqual(
      { ...target.objective.terms[0], layer: '' },
      {
        kind: 'layer',
        layer: '',
        weight: 1,
        reduce: 'mean',
        channels: [1],
      },
    );
    assert.deepEqual(target.fixedInput, { height: 9, width: 9 });
    assert.deepEqual(classTarget(model, '6').objective.terms[0], {
      ...target.objective.terms[0],
      channels: [6],
    });
  });

  it('raises the class logit from noise more than any other logit', async () => {
    const noise = noiseImage(9, 9, 3);
    // The fixture is 9 pixels wide: the 16-pixel class jitter is meant for 224-pixel networks.
    const dreamed = await dreamInProcess(noise, { model: MODEL, class: 'banana', seed: 3, jitter: 1 });
    const before = await logits(model, noise);
    const after = await logits(model, dreamed);
    const rises = after.map((v, i) => v - before[i]!);
    // The untrained fixture's logits span about 0.2 on noise; unregularized ascent reaches +0.55.
    assert.ok(rises[1]! > 0.15, `banana logit ${before[1]} -> ${after[1]}`);
    assert.equal(rises.indexOf(Math.max(...rises)), 1, `banana rises most: ${rises.join(', ')}`);
  });

  it('dreams images larger than the fixed input in input-sized tiles', async () => {
    const noise = noiseImage(14, 11, 1);
    const dreamed = await dreamInProcess(noise, { model: MODEL, class: '1', steps: 3, octaves: 2 });
    assert.deepEqual([dreamed.width, dreamed.height], [14, 11]);
    assert.notDeepEqual(dreamed.data, noise.data);
  });

  it('refuses unknown classes, models without a classifier and other objectives, in one line', async () => {
    const dream = (options: object) => dreamInProcess(noiseImage(9, 9, 0), { model: MODEL, steps: 1, ...options });
    await assert.rejects(dream({ class: 'banan' }), /^Error: no class named 'banan'; similar: banana$/);
    await assert.rejects(dream({ class: '7' }), /class 7 does not exist: the classifier has 7 classes \(0\.\.6\)/);
    assert.throws(
      () => classTarget(bundled, 'banana'),
      /^Error: model 'inception_v3' has no ImageNet classifier head \(its top was retrained for a content classifier/,
    );
    const headless = { ...model, model: { ...model.model, metadata: {} } };
    assert.throws(() => classTarget(headless, 'banana'), {
      message: `model '${MODEL}' has no classifier head (no logits in its descriptor), so it cannot visualize classes`,
    });
    assert.throws(
      () => resolveDreamOptions({ class: 'banana', layers: [{ name: 'mixed3', weight: 1 }] }),
      /^OptionError: class cannot be combined with layers: the class logit is the objective$/,
    );
    assert.throws(() => resolveDreamOptions({ class: 'banana', channels: [1] }), /cannot be combined with channels/);
    assert.throws(() => resolveDreamOptions({ class: 'banana', preset: 'eyes' }), /cannot be combined with preset/);
    assert.throws(
      () => resolveDreamOptions({ class: 'banana', guide: noiseImage(2, 2, 0) }),
      /cannot be combined with guide/,
    );
    assert.throws(() => resolveDreamOptions({ class: ' ' }), /class must be a non-empty label/);
  });

  it("class defaults sit under the caller's values", () => {
    const o = resolveDreamOptions({ class: 'banana', steps: 5 });
    assert.deepEqual(
      [o.class, o.normalization, o.steps, o.jitter, o.blur, o.layers],
      ['banana', 'laplacian', 5, 16, 0.5, []],
    );
    assert.equal(resolveDreamOptions({}).blur, 0);
  });

  it('the blur keeps flat areas and the mean, and spreads a dot', () => {
    const image = createRgbImage(9, 1, new Float32Array(27).fill(100));
    image.data[12] = 190; // red of pixel 4
    const blurred = gaussianBlur(image, 0.5);
    const reds = [...blurred.data].filter((_, i) => i % 3 === 0);
    assert.ok(reds[4]! < 190 && reds[4]! > 150 && reds[3]! > 100 && reds[3] === reds[5], reds.join(' '));
    assert.ok(Math.abs(reds.reduce((a, b) => a + b) - (8 * 100 + 190)) < 1e-3);
    assert.ok(Math.abs(blurred.data[13]! - 100) < 1e-4, 'green stays flat');
  });

  it('CLI: --class is recorded in the recipe and --recipe-from reproduces the same bytes', async () => {
    const first = join(cache, 'banana.png');
    const run = await deepdream(
      ['--from-noise', '9x9', '--model', MODEL, '--class', 'banana', '--jitter', '1', '-o', first, '-q'],
      cache,
    );
    assert.equal(run.code, 0, run.stderr);
    const recipe = await readRecipe(first);
    const options = recipe?.options as Record<string, unknown>;
    assert.deepEqual([options.class, options.blur, options.model], ['banana', 0.5, MODEL]);
    assert.deepEqual(recipe?.input, { noise: { width: 9, height: 9 } });
    const again = join(cache, 'again.png');
    const rerun = await deepdream(['--recipe-from', first, '-o', again, '-q'], cache);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(await readFile(again), await readFile(first));
    assert.equal((await readImage(first)).width, 9);

    for (const [args, message] of [
      [['--layer', 'x'], /^deepdream: --class cannot be combined with --layer: the class logit is the objective$/m],
      [['--guide', first], /^deepdream: --class cannot be combined with --guide: the class logit is the objective$/m],
      [['--class', 'kiwi'], /^deepdream: no class named 'kiwi'; pass a class name/],
    ] as const) {
      const failed = await deepdream(
        ['--from-noise', '9x9', '--model', MODEL, '--class', 'banana', ...args, '-q', '-o', join(cache, 'x.png')],
        cache,
      );
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, message);
      assert.match(failed.stderr, /^[^\n]+\n$/, 'one line');
    }
  });
});
