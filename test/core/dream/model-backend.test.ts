/** The model backend on the bundled InceptionV3: one compiled program per layer structure and tile shape. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildGradientModel } from '../../../src/core/autodiff/gradient-model.js';
import { GRADIENT_OUTPUT, OBJECTIVE_OUTPUT, type Objective } from '../../../src/core/autodiff/objective.js';
import { dreamImage } from '../../../src/core/dream/dream-image.js';
import { modelBackend } from '../../../src/core/dream/model-backend.js';
import { createRandom } from '../../../src/core/dream/random.js';
import { createActivationSession } from '../../../src/core/engine/index.js';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { withInputShape } from '../../../src/core/onnx/shapes.js';
import { loadModel } from '../../../src/node/models/index.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { countingRuntime } from '../engine/counting-runtime.js';

const LAYER = 'mixed4';
const SIZE = 80;
/** Channels active on the test photo (a dead channel has no gradient: its dream changes nothing). */
const CHANNELS = [14, 42, 70, 105, 140, 175, 210, 252, 280, 350];

function photo(): RgbImage {
  const random = createRandom(1);
  const image = createRgbImage(SIZE, SIZE);
  for (let i = 0; i < image.data.length; i++) image.data[i] = 128 + 60 * Math.sin(i / 97) + 30 * random();
  return image;
}

/** Interleaved HWC to NCHW planes. */
const planar = ({ data }: RgbImage): Float32Array =>
  Float32Array.from({ length: data.length }, (_, i) => data[3 * (i % (SIZE * SIZE)) + Math.floor(i / (SIZE * SIZE))]!);

const channelMean = (channel: number): Objective => ({
  terms: [{ kind: 'layer', layer: LAYER, weight: 1, reduce: 'mean', channels: [channel] }],
});

describe('model backend', () => {
  let model: LoadedModel;
  const releases: (() => Promise<void>)[] = [];
  before(async () => {
    model = await loadModel('inception_v3');
  });
  after(async () => {
    for (const release of releases) await release();
  });

  it(`dreaming 10 channels of ${LAYER} one after another at one size compiles one session`, async () => {
    const runtime = countingRuntime();
    const backend = modelBackend(model, runtime);
    releases.push(() => backend.release());
    const image = photo();
    const dreams: Float32Array[] = [];
    for (const channel of CHANNELS) {
      const options = { layers: [{ name: LAYER, weight: 1 }], channels: [channel], octaves: 1, steps: 1 };
      dreams.push((await dreamImage(image, options, backend)).data);
    }
    assert.equal(runtime.created, 1);
    dreams.forEach((dream, i) => {
      assert.notDeepEqual(dream, image.data, `channel ${CHANNELS[i]} changes the photo`);
      dreams
        .slice(i + 1)
        .forEach((other, j) => assert.notDeepEqual(dream, other, `channels ${CHANNELS[i]} and ${CHANNELS[i + j + 1]}`));
    });
  });

  it('a channel fed to the shared session gives what a model with that channel built in gives', async () => {
    const backend = modelBackend(model, nodeRuntime);
    releases.push(() => backend.release());
    const tile = { height: SIZE, width: SIZE };
    const planes = planar(photo());
    const forward = await createActivationSession(model, LAYER, tile, nodeRuntime);
    releases.push(() => forward.release());
    const { dims, data: activation } = await forward.run(planes);
    const plane = dims[2]! * dims[3]!;
    const shape = withInputShape(model.model.graph, model.inputName, [1, 3, SIZE, SIZE]);
    for (const channel of [CHANNELS[1]!, CHANNELS[9]!]) {
      const shared = await (await backend.gradientSession(channelMean(channel), tile)).run(planes);
      const built = await nodeRuntime.createSession(
        encodeModel(buildGradientModel({ ...model.model, graph: shape }, channelMean(channel))),
      );
      releases.push(() => built.release());
      const outputs = await built.run({ [model.inputName]: { dims: [1, 3, SIZE, SIZE], data: planes } });
      assert.deepEqual(shared.objective, (outputs[OBJECTIVE_OUTPUT]!.data as Float32Array)[0]);
      assert.deepEqual(shared.gradient, outputs[GRADIENT_OUTPUT]!.data);
      const mean = activation.subarray(channel * plane, (channel + 1) * plane).reduce((a, b) => a + b, 0) / plane;
      assert.ok(
        Math.abs(shared.objective - mean) < 1e-5 * Math.abs(mean),
        `channel ${channel}: ${shared.objective} vs ${mean}`,
      );
    }
  });
});
