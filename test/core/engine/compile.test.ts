/**
 * What compile hands the runtime: the gradient model without the shapes of its intermediate
 * values (ONNX Runtime infers them; checking ours made sessions slower to create). The session
 * computes the same bits as one given every shape.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildGradientGraph } from '../../../src/core/autodiff/gradient-model.js';
import type { Objective } from '../../../src/core/autodiff/objective.js';
import { runtimeBytes } from '../../../src/core/engine/compile.js';
import { float32Output } from '../../../src/core/engine/runtime.js';
import { decodeModel, encodeModel } from '../../../src/core/onnx/codec.js';
import { ancestorsGraph } from '../../../src/core/onnx/prune.js';
import { withInputShape } from '../../../src/core/onnx/shapes.js';
import { GRADIENT_OUTPUT } from '../../../src/core/autodiff/objective.js';
import { loadModel } from '../../../src/node/models/index.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { randomNormal } from '../autodiff/harness.js';

it('runtimeBytes drops intermediate shapes, and InceptionV3 mixed4 gradients stay bit-identical', async () => {
  const loaded = await loadModel('inception_v3');
  const layer = 'mixed4';
  const objective: Objective = { terms: [{ kind: 'layer', layer, weight: 1, reduce: 'meanSquare' }] };
  const dims = [1, 3, 120, 160];
  const graph = withInputShape(ancestorsGraph(loaded.model.graph, [layer]), loaded.inputName, dims);
  const { model } = buildGradientGraph({ ...loaded.model, graph }, objective);
  const shapes = model.graph.valueInfo.size;
  assert.ok(shapes > 0);
  const full = encodeModel(model);
  const lean = runtimeBytes(model);
  assert.equal(decodeModel(full).graph.valueInfo.size, shapes);
  assert.equal(decodeModel(lean).graph.valueInfo.size, 0);
  assert.equal(model.graph.valueInfo.size, shapes, 'the model itself keeps its shapes');

  const image = randomNormal(
    dims.reduce((a, b) => a * b, 1),
    5,
  ).map((v) => 128 + 40 * v);
  const gradients: Float32Array[] = [];
  for (const bytes of [full, lean]) {
    const session = await nodeRuntime.createSession(bytes, { threads: 1 });
    const outputs = await session.run({ [loaded.inputName]: { dims, data: image } });
    gradients.push(float32Output(outputs, GRADIENT_OUTPUT).data);
    await session.release();
  }
  assert.ok(gradients[0]!.some((v) => v !== 0));
  assert.deepEqual(gradients[1], gradients[0]);
});
