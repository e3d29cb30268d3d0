/**
 * Every gradient rule against central finite differences of the objective, in float32 (ORT has
 * no double Conv/pool kernels, see test/node/runtime/ort-float64.test.ts): directional derivatives along random
 * directions, h = 1e-2, compared with a tolerance well above float32 rounding of the objective.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GradOptions } from '../../../src/core/autodiff/gradient-model.js';
import { float, int, ints, str } from '../../../src/core/onnx/ir.js';
import { type GraphKit, buildModel } from './graphs.js';
import { gradientRunner, meanSquareOf, randomNormal } from './harness.js';

type Case = [name: string, shape: number[], body: (k: GraphKit, x: string) => string];

const conv = (k: GraphKit, x: string, w: number[], attrs: Parameters<GraphKit['op']>[2] = {}): string =>
  k.op('Conv', [x, k.weights(w)], attrs);

const CASES: Case[] = [
  [
    'Conv stride 1, asymmetric pads, bias',
    [1, 3, 6, 5],
    (k, x) => k.op('Conv', [x, k.weights([4, 3, 3, 2]), k.weights([4])], { pads: ints([1, 0, 2, 1]) }),
  ],
  [
    'Conv grouped, dilated',
    [1, 4, 7, 7],
    (k, x) => conv(k, x, [6, 2, 3, 3], { group: int(2), dilations: ints([2, 1]), pads: ints([2, 1, 2, 1]) }),
  ],
  ['Conv depthwise', [1, 3, 5, 5], (k, x) => conv(k, x, [6, 1, 3, 3], { group: int(3), pads: ints([1, 1, 1, 1]) })],
  [
    'Conv strided SAME_LOWER',
    [1, 2, 7, 6],
    (k, x) => conv(k, x, [3, 2, 3, 3], { strides: ints([2, 2]), auto_pad: str('SAME_LOWER') }),
  ],
  [
    'Conv strided VALID, 1x1',
    [1, 3, 5, 5],
    (k, x) => conv(k, x, [2, 3, 1, 1], { strides: ints([2, 2]), auto_pad: str('VALID') }),
  ],
  ['Conv 1-D', [1, 2, 9], (k, x) => conv(k, x, [3, 2, 3], { pads: ints([2, 0]) })],
  [
    'ConvTranspose strided',
    [1, 4, 3, 3],
    (k, x) =>
      k.op('ConvTranspose', [x, k.weights([4, 3, 3, 3])], {
        strides: ints([2, 2]),
        pads: ints([1, 0, 0, 1]),
        output_padding: ints([1, 0]),
      }),
  ],
  ['Relu', [1, 3, 4, 4], (k, x) => k.op('Relu', [conv(k, x, [3, 3, 1, 1])])],
  ['Relu on a 2-D tensor', [2, 5], (k, x) => k.op('Relu', [x])],
  [
    'Clip',
    [1, 2, 4, 4],
    (k, x) =>
      k.op('Clip', [
        x,
        k.b.constant('lo', { dataType: 'float32', dims: [], data: Float32Array.of(-0.6) }),
        k.b.constant('hi', { dataType: 'float32', dims: [], data: Float32Array.of(0.7) }),
      ]),
  ],
  ['LeakyRelu', [1, 2, 3, 3], (k, x) => k.op('LeakyRelu', [x], { alpha: float(0.6) })],
  [
    'Sigmoid, Tanh',
    [1, 2, 3, 3],
    (k, x) => k.op('Tanh', [k.op('Mul', [k.op('Sigmoid', [x]), k.weights([2, 1, 1], 3)])]),
  ],
  [
    'BatchNormalization',
    [1, 3, 3, 3],
    (k, x) =>
      k.op('BatchNormalization', [x, k.weights([3]), k.weights([3]), k.weights([3]), k.op('Abs', [k.weights([3])])]),
  ],
  [
    'MaxPool 3x3 stride 2 ceil',
    [1, 2, 8, 8],
    (k, x) => k.op('MaxPool', [x], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) }),
  ],
  [
    'MaxPool 2x2 stride 2',
    [1, 2, 6, 6],
    (k, x) => k.op('MaxPool', [x], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
  ],
  [
    'MaxPool 2x2 stride 2 ceil on odd sizes (a window runs past the edge)',
    [1, 2, 7, 5],
    (k, x) => k.op('MaxPool', [x], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }),
  ],
  [
    'MaxPool 3x3 stride 3, uncovered edge',
    [1, 2, 8, 10],
    (k, x) => k.op('MaxPool', [x], { kernel_shape: ints([3, 3]), strides: ints([3, 3]) }),
  ],
  [
    'ReLU into MaxPool (masked on the pooled side)',
    [1, 2, 7, 7],
    (k, x) =>
      k.op('MaxPool', [k.op('Relu', [conv(k, x, [3, 2, 1, 1])])], {
        kernel_shape: ints([3, 3]),
        strides: ints([2, 2]),
        pads: ints([1, 1, 1, 1]),
      }),
  ],
  [
    'MaxPool padded, dilated',
    [1, 2, 7, 7],
    (k, x) => k.op('MaxPool', [x], { kernel_shape: ints([2, 3]), pads: ints([1, 1, 1, 1]), dilations: ints([2, 1]) }),
  ],
  [
    'AveragePool stride 1, pads counted',
    [1, 2, 5, 5],
    (k, x) =>
      k.op('AveragePool', [x], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) }),
  ],
  [
    'AveragePool stride 1, pads excluded',
    [1, 2, 5, 5],
    (k, x) => k.op('AveragePool', [x], { kernel_shape: ints([3, 3]), pads: ints([1, 0, 1, 2]) }),
  ],
  [
    'AveragePool strided, ceil',
    [1, 2, 6, 7],
    (k, x) =>
      k.op('AveragePool', [x], {
        kernel_shape: ints([3, 2]),
        strides: ints([2, 2]),
        ceil_mode: int(1),
        pads: ints([1, 0, 0, 0]),
      }),
  ],
  ['GlobalAveragePool', [1, 3, 4, 3], (k, x) => k.op('GlobalAveragePool', [x])],
  [
    'LRN',
    [1, 5, 3, 3],
    (k, x) => k.op('LRN', [x], { size: int(5), alpha: float(0.5), beta: float(0.75), bias: float(2) }),
  ],
  [
    'Concat and Split',
    [1, 4, 3, 3],
    (k, x) => {
      const [a, b] = k.b.addMulti('Split', [x, k.ints([1, 3])], 2, { axis: int(1) });
      return k.op('Concat', [b!, k.op('Relu', [x]), a!], { axis: int(1) });
    },
  ],
  [
    'Concat of ReLU outputs (masked before the Split)',
    [1, 2, 4, 4],
    (k, x) => {
      const a = k.op('Relu', [conv(k, x, [3, 2, 1, 1])]);
      const b = k.op('Relu', [conv(k, x, [2, 2, 3, 3], { pads: ints([1, 1, 1, 1]) })]);
      return conv(k, k.op('Concat', [a, b], { axis: int(1) }), [2, 5, 1, 1]);
    },
  ],
  [
    'Concat of a ReLU and a plain tensor (partly masked)',
    [1, 2, 4, 4],
    (k, x) => {
      const a = k.op('Relu', [conv(k, x, [3, 2, 1, 1])]);
      return conv(k, k.op('Concat', [conv(k, x, [2, 2, 1, 1]), a], { axis: int(1) }), [2, 5, 1, 1]);
    },
  ],
  [
    'Pad merged into AveragePool',
    [1, 2, 5, 5],
    (k, x) =>
      k.op('AveragePool', [k.op('Pad', [x, k.ints([0, 0, 1, 0, 0, 0, 1, 2])])], {
        kernel_shape: ints([3, 3]),
        pads: ints([0, 1, 1, 0]),
        count_include_pad: int(1),
      }),
  ],
  [
    'Split with an unused output',
    [1, 4, 2, 2],
    (k, x) => k.b.addMulti('Split', [x, k.ints([2, 2])], 2, { axis: int(1) })[1]!,
  ],
  [
    'Slice steps 1 and -1',
    [1, 3, 6, 5],
    (k, x) => k.op('Slice', [x, k.ints([1, -2, 0]), k.ints([3, 0, 100]), k.ints([1, 2, 3]), k.ints([1, -1, 1])]),
  ],
  ['Pad constant, with cropping', [1, 2, 4, 4], (k, x) => k.op('Pad', [x, k.ints([0, 0, 2, -1, 0, 0, -1, 3])])],
  [
    'Add, Sub, Mul, Div broadcasting',
    [1, 3, 4, 4],
    (k, x) => {
      const pooled = k.op('GlobalAveragePool', [x]);
      const denom = k.op('Add', [k.op('Mul', [pooled, pooled]), k.op('Abs', [k.weights([1, 1])])]);
      const mixed = k.op('Sub', [k.op('Mul', [x, pooled]), k.op('Add', [k.weights([4]), x])]);
      return k.op('Div', [k.op('Div', [mixed, denom]), k.op('Abs', [k.weights([3, 1, 1])])]);
    },
  ],
  ['Sum', [1, 2, 3, 3], (k, x) => k.op('Sum', [x, k.op('Mul', [x, x]), k.weights([3])])],
  [
    'Gemm',
    [2, 4],
    (k, x) => {
      const a = k.op('Gemm', [x, k.weights([3, 4]), k.weights([3])], {
        transB: int(1),
        alpha: float(0.7),
        beta: float(2),
      });
      const b = k.op('Gemm', [a, k.weights([5, 3]), k.weights([5])], { transB: int(1) });
      const c = k.op('Gemm', [x, b], { transA: int(1) });
      const d = k.op('Gemm', [b, c, k.op('ReduceSum', [x, k.ints([1])], { keepdims: int(1) })], {
        transB: int(1),
        beta: float(-1.5),
      });
      return k.op('Gemm', [d, x], { transA: int(1) });
    },
  ],
  [
    'MatMul batched, broadcast',
    [2, 3, 4],
    (k, x) => {
      const y = k.op('MatMul', [
        k.op('Transpose', [x], { perm: ints([0, 2, 1]) }),
        k.op('MatMul', [x, k.weights([4, 2])]),
      ]);
      return k.op('MatMul', [k.weights([3, 1, 5, 4]), y]);
    },
  ],
  [
    'Flatten, Reshape, Transpose, Squeeze, Unsqueeze',
    [1, 2, 3, 4],
    (k, x) => {
      const t = k.op('Transpose', [x], { perm: ints([0, 3, 1, 2]) });
      const f = k.op('Flatten', [t], { axis: int(2) });
      const r = k.op('Reshape', [f, k.ints([4, 6])]);
      return k.op('Squeeze', [k.op('Unsqueeze', [r, k.ints([0])]), k.ints([0])]);
    },
  ],
  ['Identity, Dropout', [1, 3, 2, 2], (k, x) => k.op('Dropout', [k.op('Identity', [x])])],
  ['Softmax', [1, 4, 2, 3], (k, x) => k.op('Mul', [k.op('Softmax', [x], { axis: int(1) }), k.weights([4, 1, 1])])],
  [
    'ReduceMean, ReduceSum',
    [1, 3, 4, 2],
    (k, x) => {
      const m = k.op('ReduceMean', [x], { axes: ints([2]), keepdims: int(0) });
      return k.op('Mul', [
        k.op('ReduceSum', [k.op('Mul', [x, x]), k.ints([1, 3])], { keepdims: int(1) }),
        k.op('Unsqueeze', [m, k.ints([2])]),
      ]);
    },
  ],
  [
    'ConvTranspose output_shape (odd crop at the beginning)',
    [1, 2, 3, 4],
    (k, x) =>
      k.op('ConvTranspose', [x, k.weights([2, 3, 3, 3])], { strides: ints([2, 2]), output_shape: ints([6, 8]) }),
  ],
  [
    'ConvTranspose output_shape with SAME_UPPER (odd crop at the end)',
    [1, 2, 3, 4],
    (k, x) =>
      k.op('ConvTranspose', [x, k.weights([2, 3, 3, 2])], {
        strides: ints([2, 3]),
        output_shape: ints([6, 11]),
        auto_pad: str('SAME_UPPER'),
      }),
  ],
  [
    'ConvTranspose output_shape past the full size (zeros at the end)',
    [1, 2, 3, 3],
    (k, x) =>
      k.op('ConvTranspose', [x, k.weights([2, 2, 3, 3])], { strides: ints([3, 2]), output_shape: ints([10, 8]) }),
  ],
  [
    'ConvTranspose SAME_UPPER, grouped, dilated',
    [1, 4, 3, 4],
    (k, x) =>
      k.op('ConvTranspose', [x, k.weights([4, 1, 3, 2])], {
        strides: ints([2, 2]),
        dilations: ints([1, 2]),
        group: int(2),
        auto_pad: str('SAME_UPPER'),
      }),
  ],
  [
    'ConvTranspose SAME_LOWER with output_padding',
    [1, 2, 3, 3],
    (k, x) =>
      k.op('ConvTranspose', [x, k.weights([2, 2, 4, 3])], {
        strides: ints([3, 2]),
        output_padding: ints([1, 1]),
        auto_pad: str('SAME_LOWER'),
      }),
  ],
  [
    'HardSigmoid',
    [1, 2, 4, 4],
    (k, x) => k.op('HardSigmoid', [k.op('Mul', [x, k.weights([2, 1, 1], 2)])], { alpha: float(0.3), beta: float(0.4) }),
  ],
  ['HardSwish', [1, 2, 4, 4], (k, x) => k.op('HardSwish', [k.op('Mul', [x, k.weights([2, 1, 1], 4)])])],
  [
    'Slice steps 2, -2, 3 and -3, clamped',
    [1, 5, 9, 10],
    (k, x) =>
      k.op('Slice', [
        x,
        k.ints([0, 100, 1, -1]),
        k.ints([5, -100, 9, -100]),
        k.ints([1, 2, 3, 0]),
        k.ints([2, -3, 3, -2]),
      ]),
  ],
  [
    'Slice step 4 past the end, step -2 from the middle',
    [1, 2, 7, 9],
    (k, x) => k.op('Slice', [x, k.ints([1, 5]), k.ints([100, 0]), k.ints([3, 2]), k.ints([4, -2])]),
  ],
  [
    'Pad edge on three axes',
    [1, 3, 4, 4],
    (k, x) =>
      k.op('Mul', [k.op('Pad', [x, k.ints([0, 1, 2, 0, 0, 2, 1, 3])], { mode: str('edge') }), k.weights([6, 7, 7])]),
  ],
  [
    'Pad reflect on three axes, as far as it reaches',
    [1, 3, 4, 5],
    (k, x) =>
      k.op('Mul', [
        k.op('Pad', [x, k.ints([0, 2, 3, 1, 0, 1, 0, 4])], { mode: str('reflect') }),
        k.weights([6, 7, 10]),
      ]),
  ],
  [
    'Pad edge on a 1-element axis',
    [1, 2, 1, 3],
    (k, x) => k.op('Pad', [x, k.ints([0, 0, 2, 1, 0, 0, 1, 0])], { mode: str('edge') }),
  ],
  [
    'ReduceSumSquare',
    [1, 3, 4, 2],
    (k, x) =>
      k.op('Mul', [
        k.op('ReduceSumSquare', [x], { axes: ints([0, 2]), keepdims: int(1) }),
        k.op('ReduceSumSquare', [x], { keepdims: int(1) }),
      ]),
  ],
  [
    'MaxPool with column-major storage_order (no indices used)',
    [1, 2, 5, 6],
    (k, x) => k.op('MaxPool', [x], { kernel_shape: ints([3, 2]), strides: ints([2, 2]), storage_order: int(1) }),
  ],
];

describe('gradients match finite differences', () => {
  for (const [name, shape, body] of CASES) {
    it(name, async () => {
      const model = buildModel(shape, body);
      // MaxPool cases also check the backward that needs no MaxPool indices.
      const variants: GradOptions[] = name.includes('MaxPool') ? [{}, { maxPoolBackward: 'indicesFree' }] : [{}];
      for (const opts of variants) {
        const run = await gradientRunner(model, meanSquareOf(model.graph.outputs[0]!.name, 3), opts);
        const n = shape.reduce((a, b) => a * b, 1);
        const x = randomNormal(n, 7);
        const { objective, gradient } = await run(x);
        const h = 5e-3;
        for (let d = 0; d < 3; d++) {
          const v = randomNormal(n, 50 + d);
          const at = async (t: number): Promise<number> => (await run(x.map((xi, i) => xi + t * v[i]!))).objective;
          const fd = ((await at(h)) - (await at(-h))) / (2 * h);
          const analytic = gradient.reduce((acc, g, i) => acc + g * v[i]!, 0);
          const tol = 1e-3 * Math.abs(analytic) + 1e-4 * Math.abs(objective);
          assert.ok(
            Math.abs(fd - analytic) <= tol,
            `${JSON.stringify(opts)} direction ${d}: finite difference ${fd} vs analytic ${analytic}`,
          );
        }
      }
    });
  }
});
