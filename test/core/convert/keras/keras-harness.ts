/** Runs converted Keras graphs in ORT and compares them with tfjs (NHWC) results. */
import assert from 'node:assert/strict';
import { IMAGE_INPUT } from '../../../../src/core/convert/keras/convert.js';
import { encodeModel } from '../../../../src/core/onnx/codec.js';
import type { Model } from '../../../../src/core/onnx/ir.js';
import { createOrtSession, fetchFloat32, float32Feed } from '../../../../src/node/runtime/ort.js';
import { relativeL2 } from '../../../support/compare.js';
import type { NhwcResult } from './tfjs-reference.js';

/** Deterministic pixels in 0..255, NHWC (what tfjs takes). */
export function testPixels(height: number, width: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: height * width * 3 }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % 256;
  });
}

export function nhwcToNchw(data: Float32Array, height: number, width: number, channels: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[(c * height + y) * width + x] = data[(y * width + x) * channels + c]!;
    }
  }
  return out;
}

/** Runs `model` on NHWC pixels and returns the tensors `names` (any named values of the graph), NCHW. */
export async function runOrt(model: Model, names: string[], pixels: Float32Array, height: number, width: number) {
  const graph = {
    ...model.graph,
    outputs: names.map((name) => ({ name, dataType: 'float32' as const, shape: ['', '', '', ''] })),
  };
  const session = await createOrtSession(encodeModel({ ...model, graph }));
  try {
    const results = await session.run({
      [IMAGE_INPUT]: float32Feed([1, 3, height, width], nhwcToNchw(pixels, height, width, 3)),
    });
    return names.map((name) => fetchFloat32(results, name));
  } finally {
    await session.release();
  }
}

/** Asserts an NCHW ORT result equals a tfjs NHWC result within a relative L2 error; returns the error. */
export function assertClose(
  ort: { dims: number[]; data: Float32Array },
  tfjs: NhwcResult,
  tolerance: number,
  what: string,
): number {
  const [n, h, w, c] = tfjs.shape as [number, number, number, number];
  assert.deepStrictEqual(ort.dims, [n, c, h, w], `${what}: shape`);
  const expected = nhwcToNchw(tfjs.data, h, w, c);
  assert.ok(
    expected.some((v) => v !== 0),
    `${what}: reference is all zeros, the comparison would prove nothing`,
  );
  const error = relativeL2(ort.data, expected);
  assert.ok(error <= tolerance, `${what}: relative L2 error ${error.toExponential(2)} > ${tolerance}`);
  return error;
}
