/** The dream form's own checks, and the studio's names for the options it sets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveDreamOptions } from '../../../src/core/dream/options.js';
import { createStudioServer } from '../../../src/apps/server/index.js';
import { fieldName, parseForm } from '../../../src/apps/server/form.js';
import { errorMessage } from '../../../src/apps/shared/errors.js';

const limits = { maxSize: 1024, maxSteps: 100, maxZoomFrames: 250, maxZoomSize: 512 };

describe('dream form', () => {
  it('turns fields into dream options', () => {
    assert.deepEqual(parseForm({ layer: ' mixed3 ', steps: '5', seed: '', size: '256' }, limits), {
      options: { layers: [{ name: 'mixed3', weight: 1 }], steps: 5 },
      size: 256,
    });
  });

  it('takes one channel of the layer', () => {
    assert.deepEqual(parseForm({ layer: 'mixed4', channel: ' 7 ' }, limits).options, {
      layers: [{ name: 'mixed4', weight: 1 }],
      channels: [7],
    });
  });

  it('refuses values in the library shape, named by their fields', () => {
    const cases: [Record<string, string>, string][] = [
      [{ steps: '101' }, 'steps must be an integer from 1 to 100 (got 101)'],
      [{ steps: '2.5' }, "steps must be an integer from 1 to 100 (got '2.5')"],
      [{ seed: ' x ' }, "seed must be an integer from 0 to 4294967295 (got 'x')"],
      [{ size: '63' }, 'size must be an integer from 64 to 1024 (got 63)'],
      [{ channel: '-1' }, 'channel must be an integer from 0 to 65535 (got -1)'],
    ];
    for (const [fields, message] of cases) assert.throws(() => parseForm(fields, limits), { message });
  });

  it('treats prototype names as unknown fields, even as own keys', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      assert.throws(() => parseForm(Object.fromEntries([[name, 'x']]), limits), {
        message: `unknown field '${name}' (fields: image, preset, model, layer, channel, steps, size, seed, from, kind, frames, zoom, rotate)`,
      });
    }
  });

  it('names the options of library errors by the fields that set them', () => {
    assert.equal(fieldName('layers'), 'layer');
    assert.equal(fieldName('steps'), 'steps');
    const error = (() => {
      try {
        resolveDreamOptions({ class: 'banana', layers: [{ name: 'mixed3', weight: 1 }] });
      } catch (err) {
        return err;
      }
    })();
    assert.equal(
      errorMessage(error, fieldName),
      'class cannot be combined with layer: the class logit is the objective',
    );
  });
});

describe('studio options', () => {
  it('are checked in the library shape', async () => {
    await assert.rejects(createStudioServer({ maxSize: 10 }), {
      message: 'maxSize must be an integer of at least 64 (got 10)',
    });
    await assert.rejects(createStudioServer({ concurrency: 0 }), {
      message: 'concurrency must be an integer of at least 1 (got 0)',
    });
  });
});

describe('guard options', () => {
  it('are checked in the library shape', async () => {
    await assert.rejects(createStudioServer({ dreamsPerMinute: 0 }), {
      message: 'dreamsPerMinute must be an integer of at least 1 (got 0)',
    });
    await assert.rejects(createStudioServer({ headersTimeoutMs: 2000, requestTimeoutMs: 1000 }), {
      message: 'requestTimeoutMs must be an integer of at least 2000 (got 1000)',
    });
    await assert.rejects(createStudioServer({ allowedHosts: ['evil.example/path'] }), {
      message:
        "allowedHosts must be a host name, optionally with :port (like dreams.example.org:8443) (got 'evil.example/path')",
    });
  });
});
