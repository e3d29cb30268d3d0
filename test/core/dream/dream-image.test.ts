import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRgbImage } from '../../../src/core/image/rgb.js';
import { dreamImage } from '../../../src/core/dream/dream-image.js';
import type { DreamProgress } from '../../../src/core/dream/options.js';
import { guideInputName } from '../../../src/core/autodiff/objective.js';
import { fakeBackend, randomPhoto } from '../../support/fake-backend.js';

const small = { octaves: 3, octaveScale: 1.5, steps: 2, tileSize: 64, layers: [{ name: 'a', weight: 1 }] };

test('one session per octave, at the tile shape each octave needs', async () => {
  const backend = fakeBackend('grid');
  const out = await dreamImage(randomPhoto(120, 90), small, backend);
  assert.deepEqual([out.width, out.height], [120, 90]);
  assert.deepEqual(
    backend.sessions.map((s) => s.tile),
    [
      { height: 40, width: 53 },
      { height: 60, width: 40 },
      { height: 45, width: 60 },
    ],
  );
  // Octave of 53x40: one tile; 80x60: 2 tiles; 120x90: 2x2 tiles; 2 steps each.
  assert.deepEqual(
    backend.sessions.map((s) => s.session.runs),
    [2, 4, 8],
  );
  assert.equal(backend.released, false, 'a caller-provided backend stays open');
});

test('the objective: mean square of whole layers, mean of chosen channels', async () => {
  const whole = fakeBackend('zero');
  await dreamImage(randomPhoto(20, 20), { ...small, octaves: 1 }, whole);
  assert.deepEqual(whole.sessions[0]!.objective, {
    terms: [{ kind: 'layer', layer: 'a', weight: 1, reduce: 'meanSquare' }],
  });
  const channels = fakeBackend('zero');
  await dreamImage(randomPhoto(20, 20), { ...small, octaves: 1, channels: [3, 1] }, channels);
  assert.deepEqual(channels.sessions[0]!.objective, {
    terms: [{ kind: 'layer', layer: 'a', weight: 1, reduce: 'mean', channels: [3, 1] }],
  });
});

test('an empty layer list dreams the backend default layer; backend layer errors surface', async () => {
  const backend = fakeBackend('zero');
  await dreamImage(randomPhoto(20, 20), { model: 'fake', octaves: 1, steps: 1 }, backend);
  assert.equal((backend.sessions[0]!.objective.terms[0] as { layer: string }).layer, 'fake_default');
  await assert.rejects(dreamImage(randomPhoto(20, 20), { layers: [{ name: 'missing', weight: 1 }] }, backend), {
    message: "unknown layer 'missing'",
  });
});

test('without a gradient the photo comes back unchanged (detail is re-injected, not blurred away)', async () => {
  const image = randomPhoto(70, 50);
  const out = await dreamImage(image, small, fakeBackend('zero'));
  for (let i = 0; i < out.data.length; i++) assert.ok(Math.abs(out.data[i]! - image.data[i]!) < 1e-3);
});

test('every octave step adds to the result: the change is carried up through the octaves', async () => {
  // Gradient 1 on red only: mean |g| = 1/3, so each meanAbs step adds 3 * stepSize to red.
  const image = createRgbImage(60, 40, new Float32Array(60 * 40 * 3).fill(100));
  const out = await dreamImage(image, { ...small, stepSize: 0.5, normalization: 'meanAbs' }, fakeBackend('redOnly'));
  const expectedRed = 100 + 3 * 2 * 3 * 0.5;
  for (let p = 0; p < 60 * 40; p++) {
    assert.ok(Math.abs(out.data[p * 3]! - expectedRed) < 1e-3, `red ${out.data[p * 3]}`);
    assert.ok(Math.abs(out.data[p * 3 + 1]! - 100) < 1e-3);
  }
});

test('pixels stay within 0..255', async () => {
  const out = await dreamImage(randomPhoto(40, 30), { ...small, stepSize: 100 }, fakeBackend('grid'));
  assert.ok(out.data.every((v) => v >= 0 && v <= 255));
  assert.ok(out.data.some((v) => v === 0) && out.data.some((v) => v === 255));
});

test('same image, options and seed give identical output; another seed differs', async () => {
  const run = (seed: number) => dreamImage(randomPhoto(90, 70), { ...small, seed }, fakeBackend('grid'));
  const [a, b, c] = await Promise.all([run(5), run(5), run(6)]);
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
});

test('the input image is not modified', async () => {
  const image = randomPhoto(30, 30);
  const before = image.data.slice();
  await dreamImage(image, small, fakeBackend('grid'));
  assert.deepEqual(image.data, before);
});

test('progress: one report per step, fraction rising to 1 weighted by octave size', async () => {
  const reports: DreamProgress[] = [];
  await dreamImage(randomPhoto(60, 45), small, fakeBackend('zero'), { onProgress: (p) => reports.push(p) });
  assert.equal(reports.length, 3 * 2);
  assert.deepEqual(
    reports.map((r) => [r.octave, r.step]),
    [
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
      [3, 1],
      [3, 2],
    ],
  );
  assert.ok(reports.every((r) => r.octaves === 3 && r.steps === 2 && r.etaSeconds !== undefined && r.etaSeconds >= 0));
  for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.fraction > reports[i - 1]!.fraction);
  assert.equal(reports.at(-1)!.fraction, 1);
  // Octave areas 27x20, 40x30, 60x45: the first step is a small share of the work.
  assert.ok(Math.abs(reports[0]!.fraction - (27 * 20) / (2 * (27 * 20 + 40 * 30 + 60 * 45))) < 1e-9);
});

test('onOctave: the dream so far after each octave but the last, at its size, a copy', async () => {
  // Gradient on red only, as above: each octave of 2 meanAbs steps adds 3 to red.
  const image = createRgbImage(60, 45, new Float32Array(60 * 45 * 3).fill(100));
  const options = { ...small, stepSize: 0.5, normalization: 'meanAbs' as const };
  const octaves: Array<[number, number, number, number]> = [];
  const out = await dreamImage(image, options, fakeBackend('redOnly'), {
    onOctave: (dreamed, octave) => {
      octaves.push([octave, dreamed.width, dreamed.height, dreamed.data[0]!]);
      dreamed.data.fill(0); // the callee's copy: the dream goes on unchanged
    },
  });
  assert.deepEqual(
    octaves.map(([octave, width, height, red]) => [octave, width, height, Math.round(red * 1000) / 1000]),
    [
      [1, 27, 20, 103],
      [2, 40, 30, 106],
    ],
  );
  assert.deepEqual(out.data, (await dreamImage(image, options, fakeBackend('redOnly'))).data);
});

test('aborting rejects with an AbortError and stops running tiles', async () => {
  const backend = fakeBackend('grid', { delayMs: 2 });
  const controller = new AbortController();
  const dreaming = dreamImage(randomPhoto(120, 90), { ...small, steps: 50 }, backend, {
    signal: controller.signal,
    onProgress: (p) => p.step === 2 && controller.abort(),
  });
  await assert.rejects(dreaming, { name: 'AbortError' });
  const runs = backend.sessions.reduce((n, s) => n + s.session.runs, 0);
  assert.equal(runs, 2, 'no tile runs after the abort');
  const aborted = AbortSignal.abort();
  await assert.rejects(dreamImage(randomPhoto(20, 20), small, fakeBackend('grid'), { signal: aborted }), {
    name: 'AbortError',
  });
});

test('an image smaller than the network minimum is dreamed enlarged and returned at its size', async () => {
  const backend = fakeBackend('grid', { minInputSize: 32 });
  const out = await dreamImage(randomPhoto(20, 10), small, backend);
  assert.deepEqual([out.width, out.height], [20, 10]);
  assert.deepEqual(
    backend.sessions.map((s) => s.tile),
    [{ height: 32, width: 64 }],
  );
  assert.ok(out.data.every((v) => v >= 0 && v <= 255));
});

test('guided dreaming feeds the guide features as [C, M] per layer', async () => {
  const backend = fakeBackend('zero');
  const guide = randomPhoto(200, 100, 3);
  await dreamImage(randomPhoto(40, 40), { ...small, octaves: 1, steps: 1, guide }, backend);
  // The guide is shrunk to fit one 64px tile.
  assert.deepEqual(backend.activationCalls, [{ layer: 'a', width: 64, height: 32 }]);
  assert.deepEqual(backend.sessions[0]!.objective, { terms: [{ kind: 'guide', layer: 'a', weight: 1 }] });
  const inputs = backend.sessions[0]!.session.extraInputs[0]!;
  assert.deepEqual(Object.keys(inputs), [guideInputName('a')]);
  assert.deepEqual(inputs[guideInputName('a')]!.dims, [5, 16 * 8]);
});

test('bad images get one-line errors', async () => {
  await assert.rejects(dreamImage(createRgbImage(0, 5, new Float32Array(0)), small, fakeBackend('zero')), {
    message: 'image size must be positive integers (got 0x5)',
  });
  await assert.rejects(dreamImage({ width: 2, height: 2, data: new Float32Array(5) }, small, fakeBackend('zero')), {
    message: 'image data must be float32 RGB of length 12',
  });
});

test('releaseSessions: the backend is released when the next octave needs another tile shape', async () => {
  const kept = fakeBackend('grid');
  await dreamImage(randomPhoto(120, 90), small, kept);
  assert.equal(kept.released, false);
  const own = fakeBackend('grid');
  await dreamImage(randomPhoto(120, 90), small, own, {}, { releaseSessions: true });
  assert.equal(own.released, true);
  const oneOctave = fakeBackend('grid');
  await dreamImage(randomPhoto(120, 90), { ...small, octaves: 1 }, oneOctave, {}, { releaseSessions: true });
  assert.equal(oneOctave.released, false, 'the caller releases the last octave');
});

test('an octave count left unset follows the image size; a count given is kept', async () => {
  const octavesDreamed = async (width: number, height: number, input: object = {}) => {
    let octaves = 0;
    const options = { layers: [{ name: 'a', weight: 1 }], steps: 1, ...input };
    await dreamImage(randomPhoto(width, height), options, fakeBackend('zero'), {
      onProgress: (p) => (octaves = p.octaves),
    });
    return octaves;
  };
  assert.deepEqual(
    [await octavesDreamed(512, 342), await octavesDreamed(1024, 683), await octavesDreamed(1800, 1200)],
    [2, 4, 6],
  );
  assert.equal(await octavesDreamed(512, 342, { octaves: 4 }), 4);
});
