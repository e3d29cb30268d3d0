import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { int, ints, type Model } from '../../../src/core/onnx/ir.js';
import { createFeatureProgram } from '../../../src/core/visualize/program.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { buildModel } from '../autodiff/graphs.js';
import { randomNormal } from '../autodiff/harness.js';

const SIZE = 6;
const PLANE = 3 * SIZE * SIZE;

/** conv 3x3 of 3 channels -> two ReLU branches of 2 channels, concatenated: a layer like Inception's mixed layers. */
function tinyModel(activation: 'Relu' | 'Tanh'): LoadedModel {
  const model = buildModel([1, 3, SIZE, SIZE], (k, x) => {
    const branch = () => k.op(activation, [k.op('Conv', [x, k.weights([2, 3, 3, 3])], { pads: ints([1, 1, 1, 1]) })]);
    return k.op('Concat', [branch(), branch()], { axis: int(1) });
  });
  return loadedModel(model, model.graph.outputs[0]!.name, 4);
}

/** `model` as loaded, for SIZE x SIZE images, with `layer` of `channels` channels to dream. */
function loadedModel(model: Model, layer: string, channels: number): LoadedModel {
  return {
    name: 'tiny',
    model,
    inputName: 'image',
    defaultInputSize: [SIZE, SIZE],
    minInputSize: 1,
    layers: [{ name: layer, shape: [channels, SIZE, SIZE], channels, dreamable: true }],
    defaultLayer: layer,
  };
}

const program = (model: LoadedModel, batch: number) =>
  createFeatureProgram(model, { layer: model.defaultLayer, reduce: 'mean', size: SIZE, batch }, nodeRuntime, {
    threads: 1,
  });

test('a batch gives each image the gradient of its own weights', async () => {
  const model = tinyModel('Relu');
  const [one, two] = [await program(model, 1), await program(model, 2)];
  assert.deepEqual([two.channels, two.positions], [4, SIZE * SIZE]);
  const images = randomNormal(2 * PLANE, 5);
  const weights = Float32Array.of(1, 0, 0, 0, 0, 0, -0.5, 2);
  const batched = await two.gradient(images, weights);
  for (const n of [0, 1]) {
    const alone = await one.gradient(images.slice(n * PLANE, (n + 1) * PLANE), weights.slice(4 * n, 4 * n + 4));
    alone.forEach((g, i) => assert.ok(Math.abs(g - batched[n * PLANE + i]!) < 1e-5, `image ${n}, value ${i}`));
  }
  await Promise.all([one.release(), two.release()]);
});

test('redirected: a channel that is zero everywhere still gets a gradient', async () => {
  const relu = await program(tinyModel('Relu'), 1);
  const zeros = new Float32Array(PLANE); // no bias: every value before the ReLU is 0
  const weights = Float32Array.of(0, 0, 1, 0);
  const plain = await relu.gradient(zeros, weights);
  const redirected = await relu.gradient(zeros, weights, true);
  assert.ok(
    plain.every((g) => g === 0),
    'a ReLU at zero passes no gradient',
  );
  assert.ok(redirected.some((g) => g !== 0));
  // Negative weights keep the plain gradient: pushing down what is already zero gains nothing.
  const down = Float32Array.of(0, 0, -1, 0);
  assert.deepEqual(await relu.gradient(zeros, down, true), await relu.gradient(zeros, down));
  await relu.release();
});

test('layers that are no ReLU output have nothing to redirect', async () => {
  const tanh = await program(tinyModel('Tanh'), 1);
  const image = randomNormal(PLANE, 8);
  const weights = Float32Array.of(0, 1, 0, 0);
  assert.deepEqual(await tanh.gradient(image, weights, true), await tanh.gradient(image, weights));
  await assert.rejects(tanh.gradient(image, new Float32Array(3)), {
    message: 'visualize: 3 weights, the program takes 1x4',
  });
  await tanh.release();
});

test('a head bound to one input size above the layer does not stop other sizes', async () => {
  // conv -> ReLU (the layer) -> Reshape to a vector -> MatMul sized for SIZE x SIZE images only.
  const model = buildModel([1, 3, SIZE, SIZE], (k, x) => {
    const layer = k.op('Relu', [k.op('Conv', [x, k.weights([2, 3, 3, 3])], { pads: ints([1, 1, 1, 1]) })]);
    const flat = k.op('Reshape', [layer, k.ints([1, 2 * SIZE * SIZE])]);
    return k.op('MatMul', [flat, k.weights([2 * SIZE * SIZE, 3])]);
  });
  const layer = model.graph.nodes.find((n) => n.opType === 'Relu')!.outputs[0]!;
  const larger = await createFeatureProgram(
    loadedModel(model, layer, 2),
    { layer, reduce: 'mean', size: SIZE + 2, batch: 1 },
    nodeRuntime,
    {
      threads: 1,
    },
  );
  assert.deepEqual([larger.channels, larger.positions], [2, (SIZE + 2) ** 2]);
  await larger.release();
});
