import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorLine } from '../../../src/apps/shared/errors.js';
import { layerTable } from '../../../src/apps/cli/commands/layers.js';
import { formatSeconds, progressStyle } from '../../../src/apps/shared/progress.js';
import { createDreamReporter } from '../../../src/apps/cli/dream-report.js';
import { collectList, oneOf, parseInteger, parseLayer, parseNumber, parseSize } from '../../../src/apps/cli/parse.js';

describe('option parsers', () => {
  it('parse numbers and refuse anything else', () => {
    assert.equal(parseInteger('42'), 42);
    assert.equal(parseInteger('-3'), -3);
    for (const bad of ['4.5', 'abc', '', '1e3', '0x10'])
      assert.throws(() => parseInteger(bad), { message: `must be an integer (got '${bad}')` }, bad);
    assert.equal(parseNumber('1.5'), 1.5);
    assert.equal(parseNumber('1e-2'), 0.01);
    for (const bad of ['abc', '', 'Infinity', 'NaN'])
      assert.throws(() => parseNumber(bad), { message: `must be a number (got '${bad}')` }, bad);
  });

  it('parse layers with optional weights', () => {
    assert.deepEqual(parseLayer('mixed3'), { name: 'mixed3', weight: 1 });
    assert.deepEqual(parseLayer('mixed5:1.5'), { name: 'mixed5', weight: 1.5 });
    assert.deepEqual(parseLayer('block_6:-0.5'), { name: 'block_6', weight: -0.5 });
    assert.throws(() => parseLayer('mixed5:lots'), {
      message: "must be a layer name with a number as :weight (got 'mixed5:lots')",
    });
    assert.throws(() => parseLayer(':2'), { message: "must be a layer name, optionally with :weight (got ':2')" });
  });

  it('parse layer names that hold colons as a whole, before a :weight', () => {
    const names = new Set(['onnx::Clip_203', 'conv/Conv:0', 'Split', 'Split:1']);
    const isLayer = (name: string) => names.has(name);
    assert.deepEqual(parseLayer('onnx::Clip_203', isLayer), { name: 'onnx::Clip_203', weight: 1 });
    assert.deepEqual(parseLayer('conv/Conv:0', isLayer), { name: 'conv/Conv:0', weight: 1 });
    assert.deepEqual(parseLayer('conv/Conv:0:2', isLayer), { name: 'conv/Conv:0', weight: 2 });
    assert.deepEqual(parseLayer('Split:1', isLayer), { name: 'Split:1', weight: 1 });
    assert.deepEqual(parseLayer('Split:3', isLayer), { name: 'Split', weight: 3 });
    assert.throws(() => parseLayer('onnx::Clip_204', isLayer), {
      message: "must be a layer name with a number as :weight (got 'onnx::Clip_204')",
    });
  });

  it('parse sizes, choices and lists', () => {
    assert.deepEqual(parseSize('1024x768'), { width: 1024, height: 768 });
    assert.deepEqual(parseSize('64X32'), { width: 64, height: 32 });
    for (const bad of ['1024', '0x5', 'ax3', '10x'])
      assert.throws(() => parseSize(bad), /WIDTHxHEIGHT|at least 1/, bad);
    assert.equal(oneOf(['std', 'meanAbs'] as const)('std'), 'std');
    assert.throws(() => oneOf(['std', 'meanAbs'] as const)('max'), {
      message: "must be one of std, meanAbs (got 'max')",
    });
    const channels = collectList(parseInteger);
    assert.deepEqual(channels('9', channels('3,7', undefined)), [3, 7, 9]);
  });
});

describe('errorLine', () => {
  it('is one line starting with the program name, without commander prefixes', () => {
    assert.equal(
      errorLine(new Error("error: unknown option '--x'\n(Did you mean --y?)")),
      "deepdream: unknown option '--x' (Did you mean --y?)",
    );
    assert.equal(errorLine('plain text'), 'deepdream: plain text');
  });
});

describe('progress', () => {
  const progress = { octave: 2, octaves: 2, step: 3, steps: 3, fraction: 1, etaSeconds: 0 };

  it('picks a style from the flags and the terminal', () => {
    assert.equal(progressStyle({ json: true, quiet: true }, { isTTY: true }), 'json');
    assert.equal(progressStyle({ quiet: true }, { isTTY: true }), 'quiet');
    assert.equal(progressStyle({}, { isTTY: true }), 'bar');
    assert.equal(progressStyle({}, {}), 'lines');
  });

  it('writes JSON lines to stdout and plain lines to stderr', () => {
    const written = { stdout: '', stderr: '' };
    const streams = {
      stdout: { write: (text: string) => (written.stdout += text) },
      stderr: { write: (text: string) => (written.stderr += text) },
    } as unknown as Parameters<typeof createDreamReporter>[1];
    for (const style of ['json', 'lines'] as const) {
      const reporter = createDreamReporter(style, streams);
      reporter.start('cat.jpg');
      reporter.update({ ...progress, octave: 1, step: 1, fraction: 0.2, etaSeconds: 8 }); // mid-octave: no plain line
      reporter.update(progress);
      reporter.done('out.png', 2.5);
    }
    const events = written.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      events.map((e) => e.event),
      ['start', 'progress', 'progress', 'done'],
    );
    assert.deepEqual(events[2], { event: 'progress', input: 'cat.jpg', ...progress });
    assert.deepEqual(events[3], { event: 'done', input: 'cat.jpg', output: 'out.png', seconds: 2.5 });
    assert.equal(
      written.stderr,
      'cat.jpg: dreaming\ncat.jpg: octave 2/2 done, 100%\ncat.jpg: wrote out.png in 2.5 s\n',
    );
  });

  it('formats durations', () => {
    assert.equal(formatSeconds(3.14), '3.1 s');
    assert.equal(formatSeconds(42.4), '42 s');
    assert.equal(formatSeconds(125), '2 min 05 s');
    assert.equal(formatSeconds(9.97), '10 s');
    assert.equal(formatSeconds(59.7), '1 min');
    assert.equal(formatSeconds(179.4), '2 min 59 s');
    assert.equal(formatSeconds(179.6), '3 min');
    assert.equal(formatSeconds(180), '3 min');
  });
});

describe('layerTable', () => {
  it('aligns columns and says why a layer cannot be dreamed', () => {
    const table = layerTable([
      { name: 'input_1', shape: [3, 299, 299], channels: 3, dreamable: false, reason: 'it is the input' },
      { name: 'mixed3', shape: [768, 17, 17], channels: 768, dreamable: true },
    ]);
    assert.equal(
      table,
      [
        'name     shape      channels  dreamable  reason',
        'input_1  3x299x299  3         no         it is the input',
        'mixed3   768x17x17  768       yes',
        '',
      ].join('\n'),
    );
  });

  it('lists the layers of a block under a row for the block', () => {
    const table = layerTable(
      [
        { name: '/conv1/Relu_output_0', shape: [8, 56, 56], channels: 8, dreamable: true },
        { name: '/mix/a/Conv_output_0', shape: [4, 28, 28], channels: 4, dreamable: true, block: 'mix' },
        { name: '/mix/Concat_output_0', shape: [12, 28, 28], channels: 12, dreamable: true, block: 'mix' },
      ],
      [{ name: 'mix', output: '/mix/Concat_output_0' }],
    );
    assert.equal(
      table,
      [
        'name                    shape     channels  dreamable  reason',
        '/conv1/Relu_output_0    8x56x56   8         yes',
        'mix                     12x28x28  12        yes',
        '  /mix/a/Conv_output_0  4x28x28   4         yes',
        '  /mix/Concat_output_0  12x28x28  12        yes',
        '',
      ].join('\n'),
    );
  });
});
