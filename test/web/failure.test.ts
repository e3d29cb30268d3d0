import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEVICE_LOST, failureMessage, OUT_OF_MEMORY } from '../../src/web/dream/failure.js';

test('memory failures, in the wordings of WebAssembly, onnxruntime-web and the browser, ask for a smaller size', () => {
  for (const err of [
    new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'),
    new RangeError('Array buffer allocation failed'),
    new Error('Aborted(OOM)'),
    new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc'),
    new Error('Cannot enlarge memory arrays to size 4294967296 bytes (OOM)'),
    new Error('[WebGPU] Failed to allocate a buffer: out of memory'),
  ]) {
    assert.equal(failureMessage(err), OUT_OF_MEMORY, err.message);
  }
});

test('a lost GPU device is named as such', () => {
  assert.equal(failureMessage(new Error('WebGPU device was lost: destroyed')), DEVICE_LOST);
  assert.equal(failureMessage(new Error('GPUDeviceLostInfo: unknown')), DEVICE_LOST);
});

test('other failures keep their first line', () => {
  assert.equal(
    failureMessage(new Error('cannot read x.tif: this browser cannot decode it\n  at decode')),
    'cannot read x.tif: this browser cannot decode it',
  );
  assert.equal(failureMessage('plain text'), 'plain text');
  assert.equal(failureMessage(new Error('')), 'the dream failed');
});
