/**
 * The two MaxPool backwards (GradOptions.maxPoolBackward) against a reference that gives each
 * window's gradient to the window's first maximum in row-major order (ORT's MaxPool rule, ties
 * included), adding window after window in output order as a flat scatter-add does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GradOptions } from '../../../src/core/autodiff/gradient-model.js';
import { windowGeometry } from '../../../src/core/autodiff/rules/geometry.js';
import { type Attribute, type Model, attrInts, floatTensor, int, ints, str } from '../../../src/core/onnx/ir.js';
import { withInputShape } from '../../../src/core/onnx/shapes.js';
import { loadModel } from '../../../src/node/models/index.js';
import { relativeL2 } from '../../support/compare.js';
import { buildModel } from './graphs.js';
import { gradientRunner, meanSquareOf, randomNormal } from './harness.js';

interface Pool {
  name: string;
  shape: number[];
  /** The pooled spatial shape; channels x its size is a power of two (see below). */
  out: number[];
  attrs: Record<string, Attribute>;
}

const POOLS: Pool[] = [
  { name: '3x3 stride 2 (InceptionV3)', shape: [1, 2, 9, 9], out: [4, 4], attrs: { strides: ints([2, 2]) } },
  {
    name: '3x3 stride 2, ceil_mode',
    shape: [1, 2, 8, 8],
    out: [4, 4],
    attrs: { strides: ints([2, 2]), ceil_mode: int(1) },
  },
  {
    name: '3x3 stride 2, padded',
    shape: [1, 2, 7, 7],
    out: [4, 4],
    attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
  },
  {
    name: '2x3 padded, dilated',
    shape: [1, 2, 4, 8],
    out: [4, 8],
    attrs: { kernel_shape: ints([2, 3]), pads: ints([1, 1, 1, 1]), dilations: ints([2, 1]) },
  },
  { name: '3x3 stride 3, uncovered edge', shape: [1, 2, 8, 14], out: [2, 4], attrs: { strides: ints([3, 3]) } },
  {
    name: '2x2 stride 2, no overlap',
    shape: [1, 2, 8, 8],
    out: [4, 4],
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) },
  },
  {
    name: '1-D, SAME_UPPER',
    shape: [1, 2, 16],
    out: [8],
    attrs: { kernel_shape: ints([3]), strides: ints([2]), auto_pad: str('SAME_UPPER') },
  },
  {
    name: '3-D',
    shape: [1, 1, 5, 5, 5],
    out: [2, 2, 2],
    attrs: { kernel_shape: ints([3, 3, 3]), strides: ints([2, 2, 2]) },
  },
];

/** Every other element raised high: many window maxima are shared by 3 or 4 overlapping windows. */
const peaks = (n: number): Float32Array => randomNormal(n, 11).map((v, i) => (i % 2 === 0 ? v + 8 : v));

const INPUTS: [name: string, make: (n: number) => Float32Array][] = [
  ['random', (n) => randomNormal(n, 7)],
  ['constant (every window tied)', (n) => new Float32Array(n).fill(0.5)],
  ['rounded (many ties)', (n) => randomNormal(n, 8).map((v) => Math.round(v))],
  ['negative (padding never wins)', (n) => randomNormal(n, 9).map((v) => v - 4)],
  ['peaks shared by windows', peaks],
];

const MODES: NonNullable<GradOptions['maxPoolBackward']>[] = ['indices', 'indicesFree'];

/** Row-major coordinates of `flat` in a grid of `dims`. */
function coordinates(flat: number, dims: number[]): number[] {
  const coords = Array<number>(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    coords[i] = flat % dims[i]!;
    flat = Math.floor(flat / dims[i]!);
  }
  return coords;
}

interface Reference {
  gradient: Float32Array;
  /** How many windows chose each input element. */
  chosenBy: Uint8Array;
  /** Sum of |terms| added into each input element (bounds the rounding of their sum). */
  magnitude: Float64Array;
}

/** Flat scatter-add of `dY` at each window's first maximum, in float32, window by window. */
function reference(model: Model, pool: Pool, x: Float32Array, dY: Float32Array): Reference {
  const node = model.graph.nodes.find((n) => n.opType === 'MaxPool')!;
  const inSpatial = pool.shape.slice(2);
  const g = windowGeometry(node, inSpatial, attrInts(node, 'kernel_shape', [3, 3]));
  const plane = inSpatial.reduce((a, b) => a * b, 1);
  const outSize = pool.out.reduce((a, b) => a * b, 1);
  const positions = g.kernel.reduce((a, b) => a * b, 1);
  const gradient = new Float32Array(x.length);
  const chosenBy = new Uint8Array(x.length);
  const magnitude = new Float64Array(x.length);
  for (let o = 0; o < dY.length; o++) {
    const channel = Math.floor(o / outSize);
    const at = coordinates(o % outSize, pool.out);
    let best = -1;
    for (let k = 0; k < positions; k++) {
      const pos = coordinates(k, g.kernel).map(
        (kk, i) => at[i]! * g.strides[i]! + kk * g.dilations[i]! - g.padsBegin[i]!,
      );
      if (pos.some((p, i) => p < 0 || p >= inSpatial[i]!)) continue;
      const flat = channel * plane + pos.reduce((acc, p, i) => acc * inSpatial[i]! + p, 0);
      if (best < 0 || x[flat]! > x[best]!) best = flat;
    }
    gradient[best] = Math.fround(gradient[best]! + dY[o]!);
    chosenBy[best]! += 1;
    magnitude[best]! += Math.abs(dY[o]!);
  }
  return { gradient, chosenBy, magnitude };
}

/**
 * MaxPool, then a product with per-position weights w, under the objective mean(pooled * w): the
 * gradient reaching the pool is w / n exactly, as n (channels x pooled size) is a power of two.
 */
function pooledModel(pool: Pool): { model: Model; dY: Float32Array } {
  const pooledShape = [1, pool.shape[1]!, ...pool.out];
  const n = pooledShape.reduce((a, b) => a * b, 1);
  const w = randomNormal(n, 3);
  const attrs = { kernel_shape: ints([3, 3]), ...pool.attrs };
  const model = buildModel(pool.shape, (k, x) =>
    k.op('Mul', [k.op('MaxPool', [x], attrs), k.b.constant('w', floatTensor(pooledShape, w))]),
  );
  return { model, dY: w.map((v) => v / n) };
}

const mismatches = (actual: Float32Array, expected: Float32Array, exempt: (i: number) => boolean): string[] =>
  [...actual.keys()]
    .filter((i) => !exempt(i) && !Object.is(actual[i], expected[i]))
    .map((i) => `[${i}] ${actual[i]} != ${expected[i]}`);

describe('MaxPool backward picks the first maximum of each window', () => {
  for (const pool of POOLS) {
    for (const [inputName, makeInput] of INPUTS) {
      it(`${pool.name}, ${inputName}`, async () => {
        const { model, dY } = pooledModel(pool);
        const objective = {
          terms: [{ kind: 'layer' as const, layer: model.graph.outputs[0]!.name, weight: 1, reduce: 'mean' as const }],
        };
        const x = makeInput(pool.shape.reduce((a, b) => a * b, 1));
        const ref = reference(model, pool, x, dY);
        const [indices, indicesFree] = await Promise.all(
          MODES.map(
            async (maxPoolBackward) =>
              (await (await gradientRunner(model, objective, { maxPoolBackward }))(x)).gradient,
          ),
        );
        // The scatter adds window by window, like the reference: bit-identical.
        assert.deepEqual(
          mismatches(indices!, ref.gradient, () => false),
          [],
        );
        // The ConvTranspose adds in another order (by kernel position): sums of 3 or more terms may
        // round differently, within float32 rounding of each addition; the rest is bit-identical.
        const shared = (i: number): boolean => ref.chosenBy[i]! >= 3;
        assert.deepEqual(mismatches(indicesFree!, ref.gradient, shared), []);
        for (let i = 0; i < x.length; i++) {
          if (!shared(i)) continue;
          const bound = 2 * (ref.chosenBy[i]! - 1) * 2 ** -24 * ref.magnitude[i]!;
          assert.ok(
            Math.abs(indicesFree![i]! - ref.gradient[i]!) <= bound,
            `[${i}] ${indicesFree![i]} vs ${ref.gradient[i]}`,
          );
        }
      });
    }
  }

  it('the peaks input has elements chosen by 4 windows', () => {
    const pool = POOLS[0]!;
    const { model, dY } = pooledModel(pool);
    const ref = reference(model, pool, peaks(pool.shape.reduce((a, b) => a * b, 1)), dY);
    assert.ok(ref.chosenBy.some((c) => c === 4));
  });
});

describe('MaxPool backwards on InceptionV3', () => {
  it('indicesFree matches indices within float32 rounding (mixed5 gradient at 139x139)', async () => {
    const loaded = await loadModel('inception_v3');
    const model = { ...loaded.model, graph: withInputShape(loaded.model.graph, loaded.inputName, [1, 3, 139, 139]) };
    const image = Float32Array.from({ length: 3 * 139 * 139 }, (_, i) => (Math.sin(i * 0.37) * 0.5 + 0.5) * 255);
    const [indices, indicesFree] = await Promise.all(
      MODES.map(
        async (maxPoolBackward) =>
          (await (await gradientRunner(model, meanSquareOf('mixed5'), { maxPoolBackward }))(image)).gradient,
      ),
    );
    const err = relativeL2(indicesFree!, indices!);
    assert.ok(err <= 1e-6, `relative L2 ${err}`);
  });
});
