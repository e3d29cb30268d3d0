/**
 * What stops a layer stops only the layers above it: an op without a gradient or shape rule, a
 * node exported in training mode, or a head bound to one input size are listed with why, and the
 * layers below them still dream at any size.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createGradientSession } from '../../../src/core/engine/index.js';
import { IDENTITY_PREPROCESSING } from '../../../src/core/models/descriptor.js';
import { importOnnxModel } from '../../../src/core/models/onnx-import.js';
import type { LayerInfo } from '../../../src/core/models/types.js';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import {
  DEFAULT_IR_VERSION,
  DEFAULT_OPSET,
  emptyGraph,
  floatTensor,
  GraphBuilder,
  int,
  int64Tensor,
  type Attribute,
} from '../../../src/core/onnx/ir.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { randomNormal } from '../autodiff/harness.js';

/** A 16x16 RGB network: conv1 -> relu1, then whatever `head` builds on relu1. */
function network(
  head: (
    add: (op: string, inputs: string[], attrs?: Record<string, Attribute>) => string,
    b: GraphBuilder,
    relu1: string,
  ) => void,
) {
  const graph = emptyGraph('net');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1, 3, 16, 16] });
  const b = new GraphBuilder(graph);
  let seed = 1;
  const weight = (dims: number[]) =>
    b.constant(
      'w',
      floatTensor(
        dims,
        randomNormal(
          dims.reduce((p, d) => p * d, 1),
          seed++,
        ).map((v) => v * 0.3),
      ),
    );
  const add = (op: string, inputs: string[], attrs: Record<string, Attribute> = {}) =>
    b.add(op, inputs, attrs, op.toLowerCase());
  const conv = (x: string, channels: number, inputs = 3) => add('Conv', [x, weight([channels, inputs, 3, 3])]);
  const relu1 = add('Relu', [conv('x', 4)]);
  head((op, inputs, attrs) => (op === 'Conv' ? conv(inputs[0]!, 4, 4) : add(op, inputs, attrs)), b, relu1);
  graph.outputs.push({ name: graph.nodes.at(-1)!.outputs[0]!, dataType: 'float32', shape: [] });
  return importOnnxModel(
    encodeModel({ graph, opsetVersion: DEFAULT_OPSET, irVersion: DEFAULT_IR_VERSION, producerName: 't', metadata: {} }),
    { preprocessing: IDENTITY_PREPROCESSING },
    'net',
  );
}

const summary = (layers: LayerInfo[]) => layers.map((l) => [l.name, l.dreamable, l.reason ?? '']);

/** The gradient of mean(layer^2) at an input size other than the model's. */
async function dreamsAtOtherSize(model: ReturnType<typeof network>, layer: string): Promise<void> {
  const tile = { height: 23, width: 19 };
  const objective = { terms: [{ kind: 'layer' as const, layer, weight: 1, reduce: 'meanSquare' as const }] };
  const session = await createGradientSession(model, objective, tile, nodeRuntime, { threads: 1 });
  try {
    const { gradient } = await session.run(randomNormal(3 * tile.height * tile.width, 9).map((v) => 100 + 50 * v));
    assert.ok(gradient.some((g) => g !== 0));
  } finally {
    await session.release();
  }
}

describe('imported layers that cannot be dreamed', () => {
  it('an op without rules: the layers below it dream, it is listed with why and nothing above it', async () => {
    const model = network((add, _b, relu1) => add('Relu', [add('Conv', [add('Elu', [add('Conv', [relu1])])])]));
    assert.deepEqual(summary(model.layers), [
      ['conv_out', true, ''],
      ['relu_out', true, ''],
      ['conv_2_out', true, ''],
      ['elu_out', false, 'op Elu (node elu) has no gradient rule'],
    ]);
    await dreamsAtOtherSize(model, 'conv_2_out');
  });

  it('a node exported in training mode', () => {
    const model = network((add, b, relu1) => {
      const stat = (v: number) => b.constant('s', floatTensor([4], [v, v, v, v]));
      const bn = b.graph.nodes.length;
      add('BatchNormalization', [relu1, stat(1), stat(0), stat(0), stat(1)], { training_mode: int(1) });
      b.graph.nodes[bn]!.outputs.push('running_mean', 'running_var');
      add('Relu', [b.graph.nodes[bn]!.outputs[0]!]);
    });
    const training =
      'node batchnormalization (BatchNormalization) runs in training mode: the model was exported for training; export it again in inference mode (PyTorch: model.eval() before torch.onnx.export)';
    assert.deepEqual(summary(model.layers), [
      ['conv_out', true, ''],
      ['relu_out', true, ''],
      ['batchnormalization_out', false, training],
      ['relu_4_out', false, training],
    ]);
  });

  it('a Dropout in training mode', () => {
    const model = network((add, b, relu1) => {
      const on = b.constant('training', { dataType: 'bool', dims: [], data: Uint8Array.of(1) });
      add('Relu', [add('Dropout', [relu1, '', on])]);
    });
    assert.deepEqual(
      model.layers.map((l) => [l.name, l.dreamable]),
      [
        ['conv_out', true],
        ['relu_out', true],
        ['dropout_out', false],
        ['relu_1_out', false],
      ],
    );
  });

  it('a flattening classifier: layers below it dream at any size, a map above it only at the model size', async () => {
    const model = network((add, b, relu1) => {
      const pooled = add('MaxPool', [add('Conv', [relu1])], {
        kernel_shape: { type: 'ints', value: [2, 2] },
        strides: { type: 'ints', value: [2, 2] },
      });
      const fc = add(
        'Gemm',
        [
          add('Flatten', [pooled]),
          b.constant('fc', floatTensor([16, 4 * 6 * 6], new Float32Array(16 * 144).fill(0.01))),
        ],
        { transB: int(1) },
      );
      add('Reshape', [fc, b.constant('shape', int64Tensor([4], [1, 4, 2, 2]))]);
    });
    const bound =
      'it can only be computed at the 16x16 input (at 32x32: shape inference: node gemm (Gemm): inner dimensions 784 and 144 differ)';
    assert.deepEqual(summary(model.layers), [
      ['conv_out', true, ''],
      ['relu_out', true, ''],
      ['conv_2_out', true, ''],
      ['maxpool_out', true, ''],
      ['reshape_out', false, bound],
    ]);
    await dreamsAtOtherSize(model, 'maxpool_out');
  });
});

describe('exports as tools write them (scripts/make_import_fixtures.py)', () => {
  const fixture = (name: string) => readFileSync(new URL(`../../fixtures/onnx/${name}`, import.meta.url));

  it('a PyTorch export in training mode: the layers from its BatchNormalization on say why and how to re-export', async () => {
    const model = importOnnxModel(fixture('training_mode.onnx'), { preprocessing: IDENTITY_PREPROCESSING }, 'trained');
    const training =
      'node /1/BatchNormalization (BatchNormalization) runs in training mode: the model was exported for training; export it again in inference mode (PyTorch: model.eval() before torch.onnx.export)';
    assert.deepEqual(summary(model.layers), [
      ['/0/Conv_output_0', true, ''],
      ['/1/BatchNormalization_output_0', false, training],
      ['/2/Relu_output_0', false, training],
      ['/3/Conv_output_0', false, training],
      ['/4/Relu_output_0', false, training],
      ['/5/Dropout_output_0', false, training],
      ['features', false, training],
    ]);
    await dreamsAtOtherSize(model, '/0/Conv_output_0');
  });

  it('an IR 3, opset 8 network imports as opset 13 and IR 7 and dreams', async () => {
    const model = importOnnxModel(fixture('opset8_ir3.onnx'), { preprocessing: IDENTITY_PREPROCESSING }, 'old');
    assert.equal(model.model.opsetVersion, 13);
    assert.equal(model.model.irVersion, 7);
    assert.deepEqual(
      model.layers.map((l) => l.name),
      ['c1', 'r1', 'p1', 's1', 's2', 'sl', 'cat', 'c2', 'rows4'],
    );
    assert.equal(model.defaultLayer, 'cat');
    await dreamsAtOtherSize(model, 'c2');
  });
});
