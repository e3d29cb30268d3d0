import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkInteger,
  checkNumber,
  checkOneOf,
  checkText,
  definedOnly,
  integerText,
  numberText,
  OptionError,
} from '../../../src/core/options/checks.js';

describe('option checks', () => {
  it('return good values', () => {
    assert.equal(checkInteger('steps', 7, { min: 1, max: 1000 }), 7);
    assert.equal(checkNumber('fps', 240, { over: 0, max: 240 }), 240);
    assert.equal(checkOneOf('normalization', 'std', ['meanAbs', 'std']), 'std');
    assert.equal(checkText('model', 'inception_v3'), 'inception_v3');
  });

  it('refuse bad ones in one shape: "<option> must be <expected> (got <value>)"', () => {
    const cases: [() => unknown, string][] = [
      [() => checkInteger('steps', 0, { min: 1, max: 1000 }), 'steps must be an integer from 1 to 1000 (got 0)'],
      [() => checkInteger('steps', 2.5, { min: 1, max: 1000 }), 'steps must be an integer from 1 to 1000 (got 2.5)'],
      [() => checkInteger('steps', '3', { min: 1 }), "steps must be an integer of at least 1 (got '3')"],
      [() => checkInteger('port', 70000, { max: 65535 }), 'port must be an integer of at most 65535 (got 70000)'],
      [() => checkNumber('fps', 0, { over: 0, max: 240 }), 'fps must be a number over 0 and at most 240 (got 0)'],
      [() => checkNumber('zoom', 2, { over: 0.5, under: 2 }), 'zoom must be a number over 0.5 and under 2 (got 2)'],
      [() => checkNumber('start', Number.NaN, { min: 0 }), 'start must be a number of at least 0 (got NaN)'],
      [() => checkNumber('x', Infinity), 'x must be a number (got Infinity)'],
      [() => checkOneOf('norm', 'l2', ['meanAbs', 'std']), "norm must be one of meanAbs, std (got 'l2')"],
      [() => checkText('model', ' '), "model must be a non-empty name (got ' ')"],
      [() => checkText('class', undefined, 'a label'), 'class must be a label (got undefined)'],
    ];
    for (const [check, message] of cases) assert.throws(check, { name: 'OptionError', message });
  });

  it('carry the option and the problem apart, so callers can rename the option', () => {
    assert.throws(
      () => checkInteger('tileSize', 32, { min: 64, max: 2048 }),
      (err: unknown) => {
        assert.ok(err instanceof OptionError);
        assert.equal(err.option, 'tileSize');
        assert.equal(err.problem, 'must be an integer from 64 to 2048 (got 32)');
        assert.equal(
          err.messageFor((o) => `--${o}`),
          '--tileSize must be an integer from 64 to 2048 (got 32)',
        );
        return true;
      },
    );
  });

  it('rename the other options a problem mentions', () => {
    const err = new OptionError('end', (name) => `must be after ${name('start')}`);
    assert.equal(err.message, 'end must be after start');
    assert.equal(err.problem, 'must be after start');
    assert.equal(
      err.messageFor((o) => `--${o}`),
      '--end must be after --start',
    );
  });

  it('read integers and numbers as typed', () => {
    assert.deepEqual(['42', ' -3 ', '+7'].map(integerText), [42, -3, 7]);
    assert.deepEqual(['4.5', 'abc', '', '1e3', '0x10'].map(integerText), [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    assert.deepEqual(['1.5', '1e-2', ' 3 '].map(numberText), [1.5, 0.01, 3]);
    assert.deepEqual(['abc', '', ' ', 'Infinity', 'NaN'].map(numberText), [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('definedOnly drops undefined values, keeping falsy ones', () => {
    assert.deepEqual(definedOnly({ a: 1, b: undefined, c: 0, d: '', e: null, f: false }), {
      a: 1,
      c: 0,
      d: '',
      e: null,
      f: false,
    });
  });
});
