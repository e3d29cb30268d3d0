/** Objective terms as forward ops: their gradients by the rules, and channel lists as graph inputs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGradientGraph, buildGradientModel } from '../../../src/core/autodiff/gradient-model.js';
import { channelFeeds } from '../../../src/core/autodiff/objective-graph.js';
import {
  GRADIENT_OUTPUT,
  OBJECTIVE_OUTPUT,
  type Objective,
  guideInputName,
  objectiveStructureKey,
} from '../../../src/core/autodiff/objective.js';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { ints } from '../../../src/core/onnx/ir.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { buildModel } from './graphs.js';
import { gradientRunner, randomNormal } from './harness.js';

const SHAPE = [1, 3, 5, 4];
const N = 60;
/** conv 3x3 -> tanh: a smooth layer y of 4 channels, 5x4 positions. */
const smoothModel = () =>
  buildModel(SHAPE, (k, x) => k.op('Tanh', [k.op('Conv', [x, k.weights([4, 3, 3, 3])], { pads: ints([1, 1, 1, 1]) })]));
const channelTerm = (layer: string, channels: number[], reduce: 'mean' | 'meanSquare' = 'mean'): Objective => ({
  terms: [{ kind: 'layer', layer, weight: 1.5, reduce, channels }],
});

describe('objective terms', () => {
  const model = smoothModel();
  const layer = model.graph.outputs[0]!.name;
  const guides = randomNormal(4 * 6, 5); // [C=4, M=6]
  const guide = { [guideInputName(layer)]: { dims: [4, 6], data: guides } };
  const objectives: [string, Objective][] = [
    ['mean of chosen channels', channelTerm(layer, [1, 3])],
    ['mean square of chosen channels, one repeated', channelTerm(layer, [0, 0, 2], 'meanSquare')],
    ['mean square of the whole layer', { terms: [{ kind: 'layer', layer, weight: -0.7, reduce: 'meanSquare' }] }],
    ['guide match', { terms: [{ kind: 'guide', layer, weight: 2 }] }],
  ];
  for (const [name, objective] of objectives) {
    it(`${name}: gradient matches finite differences`, async () => {
      const run = await gradientRunner(model, objective);
      const x = randomNormal(N, 7);
      const { objective: value, gradient } = await run(x, guide);
      const h = 5e-3;
      for (let d = 0; d < 3; d++) {
        const v = randomNormal(N, 50 + d);
        const at = async (t: number): Promise<number> =>
          (
            await run(
              x.map((xi, i) => xi + t * v[i]!),
              guide,
            )
          ).objective;
        const fd = ((await at(h)) - (await at(-h))) / (2 * h);
        const analytic = gradient.reduce((acc, g, i) => acc + g * v[i]!, 0);
        const tol = 1e-3 * Math.abs(analytic) + 1e-4 * Math.abs(value);
        assert.ok(Math.abs(fd - analytic) <= tol, `direction ${d}: finite difference ${fd} vs analytic ${analytic}`);
      }
    });
  }
});

describe('channel lists as inputs', () => {
  it('one gradient graph serves every channel list, as the model with that list built in does', async () => {
    const model = smoothModel();
    const layer = model.graph.outputs[0]!.name;
    const graph = buildGradientGraph(model, channelTerm(layer, [0], 'meanSquare'));
    assert.deepEqual(
      graph.channelInputs.map((c) => [c.name, c.term, c.layerShape]),
      [['channel_weights__0', 0, [1, 4, 5, 4]]],
    );
    assert.deepEqual(
      graph.model.graph.inputs.map((i) => [i.name, i.shape]),
      [
        ['image', SHAPE],
        ['channel_weights__0', [1, 4, 1, 1]],
      ],
    );
    const session = await nodeRuntime.createSession(encodeModel(graph.model), { threads: 1 });
    const x = randomNormal(N, 3);
    try {
      for (const channels of [[0], [3], [1, 2], [2, 2, 0]]) {
        const objective = channelTerm(layer, channels, 'meanSquare');
        const out = await session.run({
          image: { dims: SHAPE, data: x },
          ...channelFeeds(graph.channelInputs, objective),
        });
        const built = await (await gradientRunner(model, objective))(x);
        assert.deepEqual(
          out[OBJECTIVE_OUTPUT]!.data,
          Float32Array.of(built.objective),
          `channels ${channels.join(',')}`,
        );
        assert.deepEqual(out[GRADIENT_OUTPUT]!.data, built.gradient, `channels ${channels.join(',')}`);
      }
    } finally {
      await session.release();
    }
  });

  it('sums of squares per channel take their axes as an input from opset 18', async () => {
    const model = smoothModel();
    const layer = model.graph.outputs[0]!.name;
    const objective = channelTerm(layer, [1, 2], 'meanSquare');
    const x = randomNormal(N, 4);
    const graphOf = (opsetVersion: number) => buildGradientModel({ ...model, opsetVersion }, objective).graph;
    const sumSquares = (opsetVersion: number) =>
      graphOf(opsetVersion).nodes.find((n) => n.opType === 'ReduceSumSquare')!;
    assert.deepEqual([sumSquares(17).inputs.length, sumSquares(17).attributes['axes']], [1, ints([0, 2, 3])]);
    assert.deepEqual([sumSquares(18).inputs.length, sumSquares(18).attributes['axes']], [2, undefined]);
    const at17 = await (await gradientRunner(model, objective))(x);
    const at18 = await (await gradientRunner({ ...model, opsetVersion: 18 }, objective))(x);
    assert.deepEqual(at18, at17);
  });

  it('the baked model keeps only the image and guide features as inputs', () => {
    const model = smoothModel();
    const layer = model.graph.outputs[0]!.name;
    const baked = buildGradientModel(model, {
      terms: [...channelTerm(layer, [2]).terms, { kind: 'guide', layer, weight: 1 }],
    });
    assert.deepEqual(
      baked.graph.inputs.map((i) => i.name),
      ['image', guideInputName(layer)],
    );
    assert.deepEqual(
      [...baked.graph.initializers.get('channel_weights__0')!.data],
      [0, 0, 1.5 / 20, 0].map(Math.fround),
    );
  });

  it('objectives that differ only in their channel lists share a structure', () => {
    const key = (objective: Objective) => objectiveStructureKey(objective);
    assert.equal(key(channelTerm('a', [1])), key(channelTerm('a', [7, 9])));
    for (const other of [
      channelTerm('b', [1]),
      channelTerm('a', [1], 'meanSquare'),
      { terms: [{ kind: 'layer', layer: 'a', weight: 1.5, reduce: 'mean' }] } satisfies Objective,
      { terms: [{ kind: 'layer', layer: 'a', weight: 2, reduce: 'mean', channels: [1] }] } satisfies Objective,
      { terms: [{ kind: 'guide', layer: 'a', weight: 1.5 }] } satisfies Objective,
    ])
      assert.notEqual(key(other), key(channelTerm('a', [1])), JSON.stringify(other));
  });

  it('refuses channel lists that do not fit the compiled layer', () => {
    const model = smoothModel();
    const layer = model.graph.outputs[0]!.name;
    const { channelInputs } = buildGradientGraph(model, channelTerm(layer, [0]));
    assert.throws(() => channelFeeds(channelInputs, channelTerm(layer, [4])), {
      message: `channel 4 is out of range: layer '${layer}' has channels 0 to 3`,
    });
    assert.throws(() => channelFeeds(channelInputs, channelTerm(layer, [])), {
      message: `objective: layer ${layer} needs a non-empty channel list on a tensor with a channel axis`,
    });
    assert.throws(() => channelFeeds(channelInputs, { terms: [{ kind: 'guide', layer, weight: 1 }] }), {
      message: 'objective: term 0 must be a layer term with a channel list',
    });
  });
});
