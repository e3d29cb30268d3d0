/**
 * What the model cache stores (dreamablePart): the dreamable layers and a classifier that can be
 * visualized, nothing above them; a stored model reloads with the same layers, blocks, default
 * and class visualization as the import it came from.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { classTarget } from '../../../src/core/dream/class-target.js';
import { IDENTITY_PREPROCESSING } from '../../../src/core/models/descriptor.js';
import { importOnnxModel, loadImportedModel } from '../../../src/core/models/onnx-import.js';
import { dreamablePart } from '../../../src/core/models/onnx-layers.js';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { GraphBuilder, emptyGraph, floatTensor, int } from '../../../src/core/onnx/ir.js';
import { createOrtSession } from '../../../src/node/runtime/ort.js';
import { type TorchvisionNet, torchvisionModel } from '../../support/torchvision-fixtures.js';

function reloaded(model: LoadedModel): { bytes: Uint8Array; model: LoadedModel } {
  const bytes = encodeModel(dreamablePart(model));
  return { bytes, model: loadImportedModel(bytes, model.name) };
}

function assertSameDescription(actual: LoadedModel, expected: LoadedModel): void {
  assert.deepEqual(actual.layers, expected.layers);
  assert.deepEqual(actual.blocks, expected.blocks);
  assert.equal(actual.defaultLayer, expected.defaultLayer);
  assert.deepEqual(actual.recommendedLayers, expected.recommendedLayers);
  assert.equal(actual.minInputSize, expected.minInputSize);
}

const opTypes = (model: LoadedModel): string[] => [...new Set(model.model.graph.nodes.map((n) => n.opType))].sort();

describe('the stored part of an imported model', () => {
  for (const net of ['googlenet', 'vgg16', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small'] as TorchvisionNet[]) {
    it(`${net}: keeps the classifier it can visualize, reloads as imported, and ORT accepts it`, async () => {
      const model = torchvisionModel(net);
      const stored = reloaded(model);
      assertSameDescription(stored.model, model);
      assert.deepEqual(classTarget(stored.model, '3'), classTarget(model, '3'));
      await (await createOrtSession(stored.bytes, { threads: 1 })).release();
    });
  }

  it('drops what lies above a training-mode node, with its weights, and still lists it with why', () => {
    const fixture = readFileSync(new URL('../../fixtures/onnx/training_mode.onnx', import.meta.url));
    const model = importOnnxModel(fixture, { preprocessing: IDENTITY_PREPROCESSING }, 'trained');
    const stored = reloaded(model);
    assertSameDescription(stored.model, model);
    assert.deepEqual(opTypes(stored.model), ['Conv']);
    assert.deepEqual(
      stored.model.model.graph.outputs.map((o) => [o.name, o.shape]),
      [['/0/Conv_output_0', [1, 4, '', '']]],
    );
    // Only the preprocessing and the first Conv's weights and bias remain.
    assert.equal(stored.model.model.graph.initializers.size, 4);
  });

  it('drops a classifier whose logits cannot be differentiated, with its weights', () => {
    const graph = emptyGraph('net');
    graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1, 3, 8, 8] });
    const b = new GraphBuilder(graph);
    const w = (dims: number[]) =>
      b.constant('w', floatTensor(dims, new Float32Array(dims.reduce((p, d) => p * d)).fill(0.1)));
    const features = b.add('Relu', [
      b.add('Conv', [b.add('Relu', [b.add('Conv', ['x', w([4, 3, 3, 3])])]), w([4, 4, 3, 3])]),
    ]);
    const pooled = b.add('Flatten', [b.add('GlobalAveragePool', [features])]);
    const logits = b.add('Abs', [b.add('Gemm', [pooled, w([1000, 4])], { transB: int(1) })]);
    graph.outputs.push({ name: logits, dataType: 'float32', shape: [1, 1000] });
    const bytes = encodeModel({ graph, opsetVersion: 13, irVersion: 8, producerName: 't', metadata: {} });
    const model = importOnnxModel(bytes, { preprocessing: IDENTITY_PREPROCESSING, logits }, 'net');
    const stored = reloaded(model);
    assertSameDescription(stored.model, model);
    assert.deepEqual(opTypes(stored.model), ['Conv', 'Relu']);
    assert.ok(stored.bytes.length < bytes.length / 4, `${stored.bytes.length} of ${bytes.length} bytes`);
  });
});
