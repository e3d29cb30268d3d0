/**
 * ONNX's own backend node tests (test/fixtures/onnx-node, written by scripts/onnx-node-tests.py)
 * for the ops with gradient rules. Each case must survive our codec (ORT runs the re-encoded
 * model to the suite's expected outputs), the opset-13 upgrade with its parameters made
 * constants (ORT again), shape inference (the expected outputs' shapes and types), and the
 * gradient pass: the input gradient against central finite differences, in float64 wherever ORT
 * has float64 kernels for the op, else in float32 (Conv, ConvTranspose, AveragePool...).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildGradientModel } from '../../../src/core/autodiff/gradient-model.js';
import { GRADIENT_OUTPUT } from '../../../src/core/autodiff/objective.js';
import { decodeModel, decodeTensor, encodeModel } from '../../../src/core/onnx/codec.js';
import type { Model, Tensor } from '../../../src/core/onnx/ir.js';
import { tensorValues } from '../../../src/core/onnx/ir.js';
import { upgradeToOpset13 } from '../../../src/core/onnx/opset-upgrade.js';
import { inferShapes } from '../../../src/core/onnx/shapes.js';
import { createOrtSession } from '../../../src/node/runtime/ort.js';
import { meanSquareOf, randomNormal } from '../autodiff/harness.js';

const DIR = new URL('../../fixtures/onnx-node/', import.meta.url);
const CASES = readdirSync(DIR).sort();

/** ONNX's backend test tolerances. */
const RTOL = 1e-3;
const ATOL = 1e-7;
/** Ops whose rules differentiate every float input; the others only their data input. */
const ALL_INPUTS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Sum', 'Gemm', 'MatMul', 'Concat']);

interface Named {
  name: string;
  tensor: Tensor;
}

interface NodeCase {
  name: string;
  model: Model;
  bytes: Uint8Array;
  inputs: Named[];
  outputs: Named[];
}

function readCase(name: string): NodeCase {
  const dir = new URL(`${name}/`, DIR);
  const data = new URL('test_data_set_0/', dir);
  const files = readdirSync(data);
  const read = (kind: string): Named[] =>
    files
      .filter((f) => f.startsWith(`${kind}_`))
      .sort((a, b) => parseInt(a.slice(kind.length + 1)) - parseInt(b.slice(kind.length + 1)))
      .map((f) => decodeTensor(readFileSync(new URL(f, data))));
  const bytes = readFileSync(new URL('model.onnx', dir));
  const model = decodeModel(bytes);
  // The data files name their tensors as the graph does, or not at all.
  const named = (list: Named[], declared: { name: string }[]): Named[] =>
    list.map((t, i) => ({ name: declared[i]!.name, tensor: t.tensor }));
  return {
    name,
    model,
    bytes,
    inputs: named(read('input'), model.graph.inputs),
    outputs: named(read('output'), model.graph.outputs),
  };
}

function toOrt(t: Tensor): ort.Tensor {
  const type = t.dataType === 'float32' ? 'float32' : t.dataType === 'int64' ? 'int64' : t.dataType;
  return new ort.Tensor(type as 'float32', t.data as Float32Array, t.dims);
}

async function run(bytes: Uint8Array, feeds: Named[]): Promise<Record<string, ort.Tensor>> {
  const session = await createOrtSession(bytes, { threads: 1 });
  try {
    return await session.run(Object.fromEntries(feeds.map((f) => [f.name, toOrt(f.tensor)])));
  } finally {
    await session.release();
  }
}

/** Whether the node draws random numbers (a training-mode Dropout with a ratio above 0). */
function isRandom({ model, inputs }: NodeCase): boolean {
  const node = model.graph.nodes[0]!;
  if (node.opType !== 'Dropout' || (node.inputs[2] ?? '') === '') return false;
  const value = (name: string | undefined): number | undefined => {
    const t = inputs.find((i) => i.name === name)?.tensor ?? model.graph.initializers.get(name ?? '');
    return t && tensorValues(t)[0];
  };
  return value(node.inputs[2]) !== 0 && (value(node.inputs[1]) ?? 0.5) > 0;
}

function assertOutputs(actual: Record<string, ort.Tensor>, c: NodeCase, valuesToo: boolean, what: string): void {
  for (const { name, tensor } of c.outputs) {
    const got = actual[name];
    assert.ok(got, `${what}: no output ${name}`);
    assert.deepEqual([...got.dims], tensor.dims, `${what}: dims of ${name}`);
    if (!valuesToo) continue;
    const expected = tensorValues(tensor);
    const values = Array.from(got.data as ArrayLike<number | bigint>, Number);
    values.forEach((v, i) => {
      const e = expected[i]!;
      assert.ok(Math.abs(v - e) <= ATOL + RTOL * Math.abs(e), `${what}: ${name}[${i}] = ${v}, expected ${e}`);
    });
  }
}

/** The case's model with every input but `kept` (and every non-float input) as a constant of its test value. */
function withConstants(c: NodeCase, kept: string | undefined): Model {
  const model = decodeModel(c.bytes);
  upgradeToOpset13(model);
  const { graph } = model;
  for (const { name, tensor } of c.inputs) {
    if (name === kept || (kept === undefined && tensor.dataType === 'float32')) continue;
    graph.inputs = graph.inputs.filter((i) => i.name !== name);
    graph.initializers.set(name, tensor);
  }
  return model;
}

/** The same model computing in float64 (initializers, inputs and outputs converted). */
function inFloat64(model: Model): Model {
  const graph = model.graph;
  const convert = <T extends { dataType: string }>(v: T): T =>
    v.dataType === 'float32' ? { ...v, dataType: 'float64' } : v;
  return {
    ...model,
    graph: {
      ...graph,
      inputs: graph.inputs.map(convert),
      outputs: graph.outputs.map(convert),
      valueInfo: new Map(),
      initializers: new Map(
        [...graph.initializers].map(([name, t]) => [
          name,
          t.dataType === 'float32'
            ? { dataType: 'float64', dims: t.dims, data: Float64Array.from(t.data as Float32Array) }
            : t,
        ]),
      ),
    },
  };
}

/** mean(y^2) of the model's first output as a function of its one input, in float64 where ORT can. */
async function objectiveFunction(
  model: Model,
  input: string,
  dims: number[],
): Promise<{ f: (x: Float64Array) => Promise<number>; float64: boolean; release: () => Promise<void> }> {
  const output = model.graph.outputs[0]!.name;
  let session: ort.InferenceSession;
  let float64 = true;
  try {
    session = await createOrtSession(encodeModel(inFloat64(model)), { threads: 1 });
  } catch (err) {
    assert.match((err as Error).message, /Could not find an implementation/);
    session = await createOrtSession(encodeModel(model), { threads: 1 });
    float64 = false;
  }
  const f = async (x: Float64Array): Promise<number> => {
    const feed = float64 ? new ort.Tensor('float64', x, dims) : new ort.Tensor('float32', Float32Array.from(x), dims);
    const y = (await session.run({ [input]: feed }))[output]!.data as ArrayLike<number>;
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += y[i]! * y[i]!;
    return sum / y.length;
  };
  return { f, float64, release: () => session.release() };
}

const counts = { cases: 0, forward: 0, shapes: 0, gradients64: 0, gradients32: 0, refused: [] as string[] };

/** Checks d mean(y^2) / d input against central differences along two random directions. */
async function checkGradient(c: NodeCase, input: Named, seed: number): Promise<void> {
  const model = withConstants(c, input.name);
  const layer = model.graph.outputs[0]!.name;
  let gradientModel: Model;
  try {
    gradientModel = buildGradientModel(model, meanSquareOf(layer));
  } catch (err) {
    assert.match((err as Error).message, /runs in training mode: the model was exported for training/);
    counts.refused.push(c.name);
    return;
  }
  const n = input.tensor.data.length;
  // Off the test point by a little: the suite puts values exactly on kinks (Clip bounds, ReLU 0).
  // Rounded to float32, which the gradient model computes in, so that both see the same point.
  const noise = randomNormal(n, seed);
  const x = Float64Array.from(Float32Array.from(tensorValues(input.tensor), (v, i) => v + 0.01 * noise[i]!));
  const session = await createOrtSession(encodeModel(gradientModel), { threads: 1 });
  const objective = await objectiveFunction(model, input.name, input.tensor.dims);
  try {
    const out = await session.run({ [input.name]: new ort.Tensor('float32', Float32Array.from(x), input.tensor.dims) });
    const gradient = out[GRADIENT_OUTPUT]!.data as Float32Array;
    const h = objective.float64 ? 1e-6 : 1e-2;
    const f0 = Math.abs(await objective.f(x));
    for (let d = 0; d < 2; d++) {
      const v = randomNormal(n, seed + 100 + d);
      const fd =
        ((await objective.f(x.map((xi, i) => xi + h * v[i]!))) -
          (await objective.f(x.map((xi, i) => xi - h * v[i]!)))) /
        (2 * h);
      let analytic = 0;
      let scale = 0;
      gradient.forEach((g, i) => {
        analytic += g * v[i]!;
        scale += Math.abs(g * v[i]!);
      });
      const tol = objective.float64 ? 1e-4 * scale + 1e-9 : 1e-3 * scale + 1e-4 * f0;
      assert.ok(
        Math.abs(fd - analytic) <= tol,
        `d/d${input.name} along direction ${d}: finite difference ${fd} vs ${analytic}`,
      );
    }
    if (objective.float64) counts.gradients64++;
    else counts.gradients32++;
  } finally {
    await session.release();
    await objective.release();
  }
}

describe("ONNX's backend node tests", () => {
  CASES.forEach((name, index) => {
    it(name, async () => {
      const c = readCase(name);
      counts.cases++;
      const random = isRandom(c);
      // Our codec's re-encoding computes the suite's outputs.
      assertOutputs(await run(encodeModel(c.model), c.inputs), c, !random, 'codec round trip');
      // Upgraded to opset 13, with parameters (axes, pads, shapes, flags) as constants.
      const upgraded = withConstants(c, undefined);
      const feeds = c.inputs.filter((i) => upgraded.graph.inputs.some((g) => g.name === i.name));
      assertOutputs(await run(encodeModel(upgraded), feeds), c, !random, 'upgraded');
      counts.forward++;
      inferShapes(upgraded.graph);
      for (const { name: output, tensor } of c.outputs) {
        const info = upgraded.graph.valueInfo.get(output)!;
        assert.deepEqual(info.shape, tensor.dims, `inferred shape of ${output}`);
        assert.equal(info.dataType, tensor.dataType, `inferred type of ${output}`);
      }
      counts.shapes++;
      const node = c.model.graph.nodes[0]!;
      const output = c.outputs[0]!.tensor;
      if (output.dataType !== 'float32' || output.data.length === 0) return;
      const differentiable = c.inputs.filter(
        (i, k) => i.tensor.dataType === 'float32' && (k === 0 || ALL_INPUTS.has(node.opType)),
      );
      for (const [k, input] of differentiable.entries()) await checkGradient(c, input, 1000 * index + k);
    });
  });

  it('checked every case, and the gradient of every differentiable input but those of training-mode nodes', () => {
    assert.equal(CASES.length, 206);
    assert.deepEqual(counts, {
      cases: 206,
      forward: 206,
      shapes: 206,
      gradients64: 210,
      gradients32: 35,
      refused: [
        'test_batchnorm_epsilon_training_mode',
        'test_batchnorm_example_training_mode',
        'test_training_dropout',
        'test_training_dropout_default',
        'test_training_dropout_default_mask',
        'test_training_dropout_mask',
        'test_training_dropout_zero_ratio',
        'test_training_dropout_zero_ratio_mask',
      ],
    });
  });
});
