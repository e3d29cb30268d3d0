/** The gradient model's contract: objective terms, guide inputs, pruning and errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGradientModel } from '../../../src/core/autodiff/gradient-model.js';
import { type Objective, guideInputName } from '../../../src/core/autodiff/objective.js';
import { floatTensor, int, ints } from '../../../src/core/onnx/ir.js';
import { type GraphKit, buildModel } from './graphs.js';
import { relativeL2 } from '../../support/compare.js';
import { gradientRunner, meanSquareOf, randomNormal } from './harness.js';

const SHAPE = [1, 3, 4, 5];
const N = 60;
const image = randomNormal(N, 3);
/** y = image (through an Identity), so gradients with respect to y are checked exactly. */
const identityModel = () => buildModel(SHAPE, (k, x) => k.op('Identity', [x]));
const at = (c: number, p: number): number => c * 20 + p;
const boolTensor = (value: boolean) => ({ dataType: 'bool' as const, dims: [], data: Uint8Array.of(value ? 1 : 0) });

/** conv -> relu (layer a) -> conv (layer b), returning the model and its two layer names. */
function twoLayerModel() {
  const names: string[] = [];
  const model = buildModel(SHAPE, (k, x) => {
    const a = k.op('Relu', [k.op('Conv', [x, k.weights([4, 3, 3, 3])], { pads: ints([1, 1, 1, 1]) })]);
    const b = k.op('Conv', [a, k.weights([2, 4, 1, 1])]);
    names.push(a, b);
    return b;
  });
  return { model, a: names[0]!, b: names[1]! };
}

describe('buildGradientModel', () => {
  it('mean and meanSquare over chosen channels', async () => {
    const model = identityModel();
    const y = model.graph.outputs[0]!.name;
    const meanRun = await gradientRunner(model, {
      terms: [{ kind: 'layer', layer: y, weight: 2, reduce: 'mean', channels: [0, 2] }],
    });
    const mean = await meanRun(image);
    let expected = 0;
    for (let i = 0; i < N; i++) {
      const selected = i < 20 || i >= 40;
      if (selected) expected += (2 * image[i]!) / 40;
      assert.equal(mean.gradient[i], selected ? Math.fround(2 / 40) : 0);
    }
    assert.ok(Math.abs(mean.objective - expected) < 1e-5);

    const squareRun = await gradientRunner(model, {
      terms: [{ kind: 'layer', layer: y, weight: 1, reduce: 'meanSquare', channels: [1] }],
    });
    const square = await squareRun(image);
    for (let p = 0; p < 20; p++) {
      assert.ok(Math.abs(square.gradient[at(1, p)]! - (2 * image[at(1, p)]!) / 20) < 1e-6);
      assert.equal(Math.abs(square.gradient[at(0, p)]!), 0);
    }
  });

  it('sums weighted terms over several layers', async () => {
    const { model, a, b } = twoLayerModel();
    const terms = [
      { kind: 'layer', layer: a, weight: 0.7, reduce: 'meanSquare' },
      { kind: 'layer', layer: b, weight: -1.3, reduce: 'mean' },
    ] as const;
    const both = await (await gradientRunner(model, { terms: [...terms] }))(image);
    const first = await (await gradientRunner(model, { terms: [terms[0]] }))(image);
    const second = await (await gradientRunner(model, { terms: [terms[1]] }))(image);
    assert.ok(Math.abs(both.objective - (first.objective + second.objective)) < 1e-5);
    assert.ok(
      relativeL2(
        both.gradient,
        first.gradient.map((g, i) => g + second.gradient[i]!),
      ) < 1e-6,
    );
    assert.ok(relativeL2(first.gradient, second.gradient) > 0.1, 'the terms have different gradients');
  });

  it('guide term: the gradient is the matched guide vector per position', async () => {
    const model = identityModel();
    const layer = model.graph.outputs[0]!.name;
    const objective: Objective = { terms: [{ kind: 'guide', layer, weight: 2 }] };
    const gradModel = buildGradientModel(model, objective);
    const guideInput = gradModel.graph.inputs.find((i) => i.name === guideInputName(layer));
    assert.deepEqual(guideInput?.shape[0], 3);
    const guides = randomNormal(3 * 4, 9); // [C=3, M=4]
    const run = await gradientRunner(model, objective);
    const { objective: value, gradient } = await run(image, {
      [guideInputName(layer)]: { dims: [3, 4], data: guides },
    });
    let expected = 0;
    for (let p = 0; p < 20; p++) {
      const dot = (m: number): number => [0, 1, 2].reduce((s, c) => s + image[at(c, p)]! * guides[c * 4 + m]!, 0);
      const best = [0, 1, 2, 3].reduce((bestM, m) => (dot(m) > dot(bestM) ? m : bestM), 0);
      expected += (2 * dot(best)) / 20;
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(gradient[at(c, p)]! - (2 * guides[c * 4 + best]!) / 20) < 1e-6);
    }
    assert.ok(Math.abs(value - expected) < 1e-5);
  });

  it('prunes nodes the objective does not need and ignores constant-only branches', () => {
    const names: string[] = [];
    const model = buildModel(SHAPE, (k, x) => {
      const constantBranch = k.op('Sqrt', [k.op('Abs', [k.weights([1, 3, 1, 1])])]);
      const used = k.op('Add', [k.op('Relu', [x]), constantBranch]);
      names.push(used);
      return k.op('Sqrt', [used]);
    });
    const before = JSON.stringify(model.graph.nodes);
    const grad = buildGradientModel(model, { terms: [{ kind: 'layer', layer: names[0]!, weight: 1, reduce: 'mean' }] });
    assert.equal(JSON.stringify(model.graph.nodes), before, 'the input model is left unchanged');
    const sqrts = grad.graph.nodes.filter((n) => n.opType === 'Sqrt');
    assert.equal(sqrts.length, 1, 'only the constant branch Sqrt stays');
    assert.deepEqual(
      grad.graph.outputs.map((o) => [o.name, o.shape]),
      [
        ['objective', []],
        ['gradient', SHAPE],
      ],
    );
    assert.ok(grad.graph.nodes.every((n) => !['Gemm', 'ConvTranspose'].includes(n.opType)));
  });

  it('folds a zero Pad into the AveragePool that reads it', () => {
    const model = buildModel(SHAPE, (k, x) =>
      k.op('AveragePool', [k.op('Pad', [x, k.ints([0, 0, 1, 1, 0, 0, 1, 1])])], { kernel_shape: ints([3, 3]) }),
    );
    const grad = buildGradientModel(model, {
      terms: [{ kind: 'layer', layer: model.graph.outputs[0]!.name, weight: 1, reduce: 'mean' }],
    });
    assert.equal(grad.graph.nodes.filter((n) => n.opType === 'Pad').length, 0);
    const pool = grad.graph.nodes.find((n) => n.opType === 'AveragePool' && n.inputs[0] === 'image');
    assert.deepEqual(pool?.attributes['pads'], ints([1, 1, 1, 1]));
    assert.deepEqual(pool?.attributes['count_include_pad'], int(1));
  });

  it('keeps the MaxUnpool fast path for a ceil-mode pool on odd sizes, equal to the exact scatter', async () => {
    const model = buildModel([1, 2, 7, 5], (k, x) =>
      k.op('MaxPool', [x], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }),
    );
    const objective = meanSquareOf(model.graph.outputs[0]!.name);
    const ops = buildGradientModel(model, objective).graph.nodes.map((n) => n.opType);
    assert.ok(ops.includes('MaxUnpool') && !ops.includes('ScatterElements'), ops.join(' '));
    const x = randomNormal(70, 5);
    const fast = await (await gradientRunner(model, objective))(x);
    const scatter = await (await gradientRunner(model, objective, { fastPaths: false }))(x);
    assert.deepEqual(fast.gradient, scatter.gradient);
  });

  it('fails clearly for an op without a gradient rule', () => {
    const model = buildModel(SHAPE, (k, x) => k.op('Sqrt', [k.op('Relu', [x])]));
    const layer = model.graph.outputs[0]!.name;
    const sqrt = model.graph.nodes.find((n) => n.opType === 'Sqrt')!;
    assert.throws(() => buildGradientModel(model, { terms: [{ kind: 'layer', layer, weight: 1, reduce: 'mean' }] }), {
      message: `no gradient rule for op Sqrt (node ${sqrt.name})`,
    });
  });

  it('refuses BatchNormalization and Dropout in training mode, naming the node and how to re-export', async () => {
    const exported = `the model was exported for training; export it again in inference mode (PyTorch: model.eval() before torch.onnx.export)`;
    const meanOf = (model: ReturnType<typeof identityModel>): Objective => ({
      terms: [{ kind: 'layer', layer: model.graph.outputs[0]!.name, weight: 1, reduce: 'mean' }],
    });
    const stats = (k: GraphKit) => [k.weights([3]), k.weights([3]), k.weights([3]), k.op('Abs', [k.weights([3])])];
    const batchNorm = buildModel(SHAPE, (k, x) =>
      k.op('BatchNormalization', [x, ...stats(k)], { training_mode: int(1) }),
    );
    const bn = batchNorm.graph.nodes.find((n) => n.opType === 'BatchNormalization')!;
    assert.throws(() => buildGradientModel(batchNorm, meanOf(batchNorm)), {
      message: `node ${bn.name} (BatchNormalization) runs in training mode: ${exported}`,
    });
    const dropout = (training: boolean) =>
      buildModel(SHAPE, (k, x) =>
        k.op('Dropout', [x, k.b.constant('ratio', floatTensor([], [0.5])), k.b.constant('on', boolTensor(training))]),
      );
    const drop = dropout(true).graph.nodes.find((n) => n.opType === 'Dropout')!;
    assert.throws(() => buildGradientModel(dropout(true), meanOf(dropout(true))), {
      message: `node ${drop.name} (Dropout) runs in training mode: ${exported}`,
    });
    // training_mode false: an identity.
    const run = await gradientRunner(dropout(false), meanSquareOf(dropout(false).graph.outputs[0]!.name));
    const { gradient } = await run(image);
    assert.ok(
      relativeL2(
        gradient,
        image.map((v) => (2 * v) / N),
      ) < 1e-6,
    );
  });

  it('rejects bad objectives and models', () => {
    const model = identityModel();
    const layer = model.graph.outputs[0]!.name;
    assert.throws(() => buildGradientModel(model, { terms: [] }), /no terms/);
    assert.throws(
      () => buildGradientModel(model, { terms: [{ kind: 'layer', layer: 'nope', weight: 1, reduce: 'mean' }] }),
      /layer nope is not a tensor/,
    );
    assert.throws(
      () => buildGradientModel(model, { terms: [{ kind: 'layer', layer, weight: 1, reduce: 'mean', channels: [3] }] }),
      { message: `channel 3 is out of range: layer '${layer}' has channels 0 to 2` },
    );
    const symbolic = identityModel();
    symbolic.graph.inputs[0]!.shape = [1, 3, 'h', 'w'];
    assert.throws(
      () => buildGradientModel(symbolic, { terms: [{ kind: 'layer', layer, weight: 1, reduce: 'mean' }] }),
      /needs a static shape/,
    );
  });
});
