/** The engine on a small network: compile once per objective structure and tile, bind channel lists. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Objective } from '../../../src/core/autodiff/objective.js';
import { compileGradient } from '../../../src/core/engine/compile.js';
import {
  createActivationSession,
  createGradientProgram,
  createGradientSession,
} from '../../../src/core/engine/index.js';
import type { Runtime } from '../../../src/core/engine/runtime.js';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { decodeModel } from '../../../src/core/onnx/codec.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { ints } from '../../../src/core/onnx/ir.js';
import { buildModel } from '../autodiff/graphs.js';
import { randomNormal } from '../autodiff/harness.js';
import { countingRuntime } from './counting-runtime.js';

const TILE = { height: 6, width: 5 };
const N = 3 * 6 * 5;

/** conv 3x3 -> tanh (4 channels, smooth: finite differences are exact enough), any input size. */
function smallNetwork(): LoadedModel {
  const model = buildModel([1, 3, 6, 5], (k, x) =>
    k.op('Tanh', [k.op('Conv', [x, k.weights([4, 3, 3, 3])], { pads: ints([1, 1, 1, 1]) })]),
  );
  model.graph.inputs[0]!.shape = [1, 3, 'height', 'width'];
  const layer = model.graph.outputs[0]!.name;
  return {
    name: 'small',
    model,
    inputName: 'image',
    defaultInputSize: [6, 5],
    minInputSize: 1,
    layers: [{ name: layer, shape: [4, 6, 5], channels: 4, dreamable: true }],
    defaultLayer: layer,
  };
}

const channelMean = (layer: string, channels: number[]): Objective => ({
  terms: [{ kind: 'layer', layer, weight: 1, reduce: 'mean', channels }],
});

describe('gradient programs', () => {
  const loaded = smallNetwork();
  const layer = loaded.defaultLayer;

  it('one compiled program serves every channel: each gradient matches finite differences of that channel', async () => {
    const runtime = countingRuntime();
    const program = await createGradientProgram(loaded, channelMean(layer, [0]), TILE, runtime);
    const forward = await createActivationSession(loaded, layer, TILE, runtime);
    try {
      const x = randomNormal(N, 11);
      const gradients: Float32Array[] = [];
      for (let c = 0; c < 4; c++) {
        const { objective, gradient } = await program.bind(channelMean(layer, [c])).run(x);
        const meanOf = async (image: Float32Array): Promise<number> => {
          const { data } = await forward.run(image);
          return data.subarray(c * 30, (c + 1) * 30).reduce((a, b) => a + b, 0) / 30;
        };
        assert.ok(Math.abs(objective - (await meanOf(x))) < 1e-6, `channel ${c}: objective ${objective}`);
        const h = 5e-3;
        const v = randomNormal(N, 20 + c);
        const fd =
          ((await meanOf(x.map((xi, i) => xi + h * v[i]!))) - (await meanOf(x.map((xi, i) => xi - h * v[i]!)))) /
          (2 * h);
        const analytic = gradient.reduce((acc, g, i) => acc + g * v[i]!, 0);
        assert.ok(Math.abs(fd - analytic) <= 1e-3 * Math.abs(analytic) + 1e-5, `channel ${c}: ${fd} vs ${analytic}`);
        gradients.push(gradient);
      }
      assert.notDeepEqual(gradients[0], gradients[1]);
      assert.equal(runtime.created, 2, 'one gradient program and one forward session');
    } finally {
      await program.release();
      await forward.release();
    }
  });

  it('a program bound to a channel list computes what a session compiled for it does', async () => {
    const runtime = countingRuntime();
    const shared = await createGradientProgram(loaded, channelMean(layer, [0]), TILE, runtime);
    const own = await createGradientSession(loaded, channelMean(layer, [1, 3]), TILE, runtime);
    try {
      const x = randomNormal(N, 12);
      assert.deepEqual(await shared.bind(channelMean(layer, [1, 3])).run(x), await own.run(x));
    } finally {
      await shared.release();
      await own.release();
    }
  });

  it('refuses to bind an objective of another structure, or a tile of another size', async () => {
    const program = await createGradientProgram(loaded, channelMean(layer, [0]), TILE, countingRuntime());
    try {
      assert.throws(() => program.bind({ terms: [{ kind: 'layer', layer, weight: 1, reduce: 'meanSquare' }] }), {
        message: 'engine: the objective differs from the compiled one in more than its channel lists',
      });
      assert.throws(() => program.bind(channelMean(layer, [4])), {
        message: `channel 4 is out of range: layer '${layer}' has channels 0 to 3`,
      });
      await assert.rejects(program.bind(channelMean(layer, [1])).run(new Float32Array(N - 3)), {
        message: `tile has ${N - 3} values, the session expects ${N}`,
      });
    } finally {
      await program.release();
    }
  });

  it('compiling is a pure function of the model, the objective structure and the tile', () => {
    const first = compileGradient(loaded, channelMean(layer, [0]), TILE);
    const second = compileGradient(loaded, channelMean(layer, [2, 3]), TILE);
    assert.deepEqual(first, second);
    assert.deepEqual(first.channelInputs, [{ name: 'channel_weights__0', term: 0, layerShape: [1, 4, 6, 5] }]);
    assert.notDeepEqual(compileGradient(loaded, channelMean(layer, [0]), { height: 7, width: 5 }).bytes, first.bytes);
    assert.throws(() => compileGradient({ ...loaded, minInputSize: 7 }, channelMean(layer, [0]), TILE), {
      message: 'small needs images of at least 7x7 pixels, got 5x6',
    });
  });

  it('a runtime without MaxPool indices gets the indices-free backward, with the same gradient', async () => {
    const pooled = buildModel([1, 3, 7, 7], (k, x) =>
      k.op('MaxPool', [k.op('Conv', [x, k.weights([4, 3, 3, 3])], { pads: ints([1, 1, 1, 1]) })], {
        kernel_shape: ints([3, 3]),
        strides: ints([2, 2]),
      }),
    );
    const pooledLayer = pooled.graph.outputs[0]!.name;
    const pooledModel: LoadedModel = {
      ...loaded,
      model: pooled,
      defaultInputSize: [7, 7],
      layers: [{ name: pooledLayer, shape: [4, 3, 3], channels: 4, dreamable: true }],
      defaultLayer: pooledLayer,
    };
    const objective: Objective = { terms: [{ kind: 'layer', layer: pooledLayer, weight: 1, reduce: 'meanSquare' }] };
    const tile = { height: 7, width: 7 };
    const compiled: Uint8Array[] = [];
    const recording = (maxPoolIndices: boolean): Runtime => ({
      maxPoolIndices,
      createSession(model, options) {
        compiled.push(model);
        return nodeRuntime.createSession(model, options);
      },
    });
    const image = randomNormal(3 * 7 * 7, 3);
    const gradients: Float32Array[] = [];
    for (const maxPoolIndices of [true, false]) {
      const session = await createGradientSession(pooledModel, objective, tile, recording(maxPoolIndices));
      gradients.push((await session.run(image)).gradient);
      await session.release();
    }
    const indexOutputs = compiled.map(
      (bytes) => decodeModel(bytes).graph.nodes.filter((n) => n.opType === 'MaxPool' && n.outputs.length > 1).length,
    );
    assert.deepEqual(indexOutputs, [1, 0]);
    assert.deepEqual(gradients[1], gradients[0]);
  });
});
