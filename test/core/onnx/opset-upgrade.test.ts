/**
 * The opset-13 upgrade and old IR versions, checked against ONNX Runtime running the original
 * file: an IR 3 / opset 8 network (scripts/make_import_fixtures.py) re-encodes to a file ORT
 * accepts, and the upgraded model computes what the original computes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/onnx/codec.js';
import { type Model, emptyGraph, floatTensor, int } from '../../../src/core/onnx/ir.js';
import { upgradeToOpset13 } from '../../../src/core/onnx/opset-upgrade.js';
import { createOrtSession, fetchFloat32, float32Feed } from '../../../src/node/runtime/ort.js';
import { randomNormal } from '../autodiff/harness.js';

const OLD = readFileSync(new URL('../../fixtures/onnx/opset8_ir3.onnx', import.meta.url));

/** Every graph output of `bytes` on `image`, by name. */
async function outputs(bytes: Uint8Array, image: { dims: number[]; data: Float32Array }) {
  const session = await createOrtSession(bytes, { threads: 1 });
  try {
    const results = await session.run({ image: float32Feed(image.dims, image.data) });
    return Object.fromEntries(session.outputNames.map((name) => [name, fetchFloat32(results, name)]));
  } finally {
    await session.release();
  }
}

function assertSameOutputs(actual: Awaited<ReturnType<typeof outputs>>, expected: typeof actual): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name]!;
    assert.deepEqual(a.dims, e.dims, name);
    a.data.forEach((v, i) => assert.ok(Math.abs(v - e.data[i]!) <= 1e-6, `${name}[${i}]: ${v} vs ${e.data[i]}`));
  }
}

const image = { dims: [1, 3, 8, 7], data: randomNormal(168, 4) };

describe('old models', () => {
  it('re-encodes an IR 3 model with its initializers listed as inputs, which ORT requires', async () => {
    const model = decodeModel(OLD);
    assert.equal(model.irVersion, 3);
    assert.deepEqual(
      model.graph.inputs.map((i) => i.name),
      ['image'],
    );
    const bytes = encodeModel(model);
    assert.deepEqual(
      decodeModel(bytes).graph.inputs.map((i) => i.name),
      ['image'],
    );
    assertSameOutputs(await outputs(bytes, image), await outputs(OLD, image));
  });

  it('upgrades opset 8 to 13: attributes become inputs, Softmax keeps its flattened meaning', async () => {
    const model = decodeModel(OLD);
    upgradeToOpset13(model);
    assert.equal(model.opsetVersion, 13);
    assert.equal(model.irVersion, 7);
    const byName = (name: string) => model.graph.nodes.find((n) => n.name === name)!;
    for (const [name, moved] of [
      ['pad', 'pads'],
      ['split', 'split'],
      ['slice', 'starts'],
      ['rowsum', 'axes'],
      ['unsqueeze', 'axes'],
      ['relu6', 'min'],
    ] as const) {
      assert.equal(byName(name).attributes[moved], undefined, `${name} keeps ${moved}`);
    }
    // [1, 6, 1, 1] from axis 1: only axis 1 is larger than 1, so the per-axis Softmax is the same.
    assert.deepEqual(byName('softmax4d').attributes['axis'], int(1));
    // [1, 6, 11] from axis 1: flattened, normalized, reshaped back.
    assert.deepEqual(model.graph.nodes.map((n) => n.opType).slice(-4), ['Flatten', 'Softmax', 'Shape', 'Reshape']);
    assertSameOutputs(await outputs(encodeModel(model), image), await outputs(OLD, image));
  });

  it("learns a Softmax's rank from the declared output when shapes cannot be inferred (SqueezeNet's head)", async () => {
    const graph = emptyGraph('head');
    graph.inputs.push({ name: 'image', dataType: 'float32', shape: [1, 5, 3, 3] });
    graph.nodes.push(
      { opType: 'Elu', name: 'elu', inputs: ['image'], outputs: ['e'], attributes: {} },
      { opType: 'GlobalAveragePool', name: 'gap', inputs: ['e'], outputs: ['g'], attributes: {} },
      { opType: 'Softmax', name: 'softmax', inputs: ['g'], outputs: ['prob'], attributes: { axis: int(1) } },
    );
    graph.outputs.push({ name: 'prob', dataType: 'float32', shape: [1, 5, 1, 1] });
    const old: Model = { graph, opsetVersion: 12, irVersion: 7, producerName: 't', metadata: {} };
    const original = encodeModel(old);
    upgradeToOpset13(old);
    assert.deepEqual(old.graph.nodes.at(-1)!.attributes['axis'], int(1));
    const feed = { dims: [1, 5, 3, 3], data: randomNormal(45, 5) };
    const upgraded = await outputs(encodeModel(old), feed);
    assertSameOutputs(upgraded, await outputs(original, feed));
    assert.ok(Math.abs(upgraded['prob']!.data.reduce((a, b) => a + b) - 1) < 1e-6, 'probabilities sum to 1');
  });

  it('refuses a Softmax whose rank nothing tells, and other changes it cannot carry over', () => {
    const graph = emptyGraph('unknown');
    graph.inputs.push({ name: 'image', dataType: 'float32', shape: [1, 5, 3, 3] });
    graph.nodes.push(
      { opType: 'Elu', name: 'elu', inputs: ['image'], outputs: ['e'], attributes: {} },
      { opType: 'Softmax', name: 'softmax', inputs: ['e'], outputs: ['p'], attributes: { axis: int(2) } },
      { opType: 'Relu', name: 'relu', inputs: ['p'], outputs: ['y'], attributes: {} },
    );
    graph.outputs.push({ name: 'y', dataType: 'float32', shape: [] });
    const model = (g = graph): Model => ({ graph: g, opsetVersion: 11, irVersion: 6, producerName: 't', metadata: {} });
    assert.throws(() => upgradeToOpset13(model()), {
      message:
        'ONNX node softmax: cannot upgrade Softmax from opset 11: the rank of its input is unknown; re-export the model with opset 13 or later',
    });
    const bn = emptyGraph('bn');
    bn.inputs.push({ name: 'image', dataType: 'float32', shape: [1, 2, 3, 3] });
    for (const name of ['s', 'b', 'm', 'v']) bn.initializers.set(name, floatTensor([2, 3, 3], new Float32Array(18)));
    bn.nodes.push({
      opType: 'BatchNormalization',
      name: 'bn',
      inputs: ['image', 's', 'b', 'm', 'v'],
      outputs: ['y'],
      attributes: { spatial: int(0) },
    });
    assert.throws(() => upgradeToOpset13({ ...model(bn), opsetVersion: 8 }), {
      message:
        'ONNX node bn: BatchNormalization with spatial = 0 (opset 8) is not supported; re-export the model with opset 13 or later',
    });
  });
});
