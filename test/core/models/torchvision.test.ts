/**
 * torchvision's GoogLeNet, VGG16, ResNet50, MobileNetV2 and MobileNetV3-Small (HardSwish, and
 * squeeze-excitation gated by HardSigmoid) as users export them (at 1/8 width, random weights):
 * every block dreams at odd sizes, block names resolve, the layer list is grouped by block
 * without 1x1 maps, and each model gets a block default.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classTarget } from '../../../src/core/dream/class-target.js';
import { dreamImage } from '../../../src/core/dream/dream-image.js';
import { modelBackend } from '../../../src/core/dream/model-backend.js';
import { createRandom } from '../../../src/core/dream/random.js';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import { findLayer } from '../../../src/core/models/layers.js';
import type { LoadedModel } from '../../../src/core/models/types.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { type TorchvisionNet, torchvisionModel } from '../../support/torchvision-fixtures.js';

/** Odd on both sides: GoogLeNet's ceil-mode 2x2 pools then see odd inputs, VGG's head its wrong size. */
const WIDTH = 117;
const HEIGHT = 93;

function photo(): RgbImage {
  const random = createRandom(3);
  const image = createRgbImage(WIDTH, HEIGHT);
  for (let i = 0; i < image.data.length; i++) image.data[i] = 128 + 60 * Math.sin(i / 89) + 30 * random();
  return image;
}

/** Mean absolute pixel change of a short dream on `layer`. */
async function dreamChange(model: LoadedModel, layer: string): Promise<number> {
  const backend = modelBackend(model, nodeRuntime, { threads: 1 });
  try {
    const before = photo();
    const options = { model: model.name, layers: [{ name: layer, weight: 1 }], octaves: 1, steps: 2, jitter: 0 };
    const after = await dreamImage(before, options, backend);
    return after.data.reduce((sum, v, i) => sum + Math.abs(v - before.data[i]!), 0) / after.data.length;
  } finally {
    await backend.release();
  }
}

/** Per network: a high block, its output, the default layer, the recommended ones, a layer and its block. */
type Expected = [TorchvisionNet, string, string, string, string[], string, string];
const EXPECTED: Expected[] = [
  [
    'googlenet',
    'inception5b',
    '/inception5b/Concat_output_0',
    'inception4d',
    ['inception4a', 'inception4d', 'inception5b'],
    '/inception4c/branch2/branch2.1/Relu_output_0',
    'inception4c',
  ],
  [
    'vgg16',
    'features.29',
    '/features/features.29/Relu_output_0',
    'features.20',
    ['features.10', 'features.20', 'avgpool'],
    '/features/features.28/Conv_output_0',
    'features.28',
  ],
  [
    'resnet50',
    'layer4',
    '/layer4/layer4.2/relu_2/Relu_output_0',
    'layer3.2',
    ['layer2.1', 'layer3.2', 'layer4.2'],
    '/layer3/layer3.1/Add_output_0',
    'layer3.1',
  ],
  [
    'mobilenet_v2',
    'features.18',
    '/features/features.18/features.18.2/Clip_output_0',
    'features.12',
    ['features.6', 'features.12', 'features.18'],
    '/features/features.7/conv/conv.1/conv.1.0/Conv_output_0',
    'features.7',
  ],
  [
    'mobilenet_v3_small',
    'features.12',
    '/features/features.12/features.12.2/HardSwish_output_0',
    'features.8',
    ['features.4', 'features.8', 'features.12'],
    '/features/features.7/block/block.2/Mul_output_0',
    'features.7',
  ],
];

describe('torchvision exports', () => {
  for (const [net, high, output, defaultLayer, recommended, member, block] of EXPECTED) {
    it(`${net}: lists its layers by block and dreams its top block at ${WIDTH}x${HEIGHT}`, async () => {
      const model = torchvisionModel(net);
      assert.equal(findLayer(model, high).name, output);
      assert.equal(model.defaultLayer, defaultLayer);
      assert.deepEqual(model.recommendedLayers, recommended);
      assert.equal(model.layers.find((l) => l.name === member)?.block, block);
      assert.ok(
        model.layers.every((l) => l.dreamable && l.shape.slice(1).some((d) => d > 1)),
        'every listed layer is dreamable and larger than 1x1',
      );
      assert.ok((await dreamChange(model, high)) > 1, 'the dream changes the photo');
    });
  }

  it('changes the photo as much where pixel gradients are tiny (weights of std 0.01, as torchvision gives GoogLeNet)', async () => {
    const model = torchvisionModel('googlenet', { std: 0.01 });
    const backend = modelBackend(model, nodeRuntime, { threads: 1 });
    try {
      const objective = {
        terms: [
          { kind: 'layer' as const, layer: '/inception4d/Concat_output_0', weight: 1, reduce: 'meanSquare' as const },
        ],
      };
      const session = await backend.gradientSession(objective, { height: HEIGHT, width: WIDTH });
      const { gradient } = await session.run(new Float32Array(3 * HEIGHT * WIDTH).fill(100));
      const meanAbs = gradient.reduce((sum, g) => sum + Math.abs(g), 0) / gradient.length;
      assert.ok(meanAbs > 0 && meanAbs < 1e-12, `mean |gradient| ${meanAbs}`);
    } finally {
      await backend.release();
    }
    assert.ok((await dreamChange(model, model.defaultLayer)) > 1);
  });

  it('names blocks as PyTorch does, at every level', () => {
    const model = torchvisionModel('resnet50');
    assert.equal(findLayer(model, 'layer3').name, '/layer3/layer3.5/relu_2/Relu_output_0');
    assert.equal(findLayer(model, 'layer3.1').name, '/layer3/layer3.1/relu_2/Relu_output_0');
    assert.equal(findLayer(model, 'layer3.1.conv2').name, '/layer3/layer3.1/conv2/Conv_output_0');
    assert.throws(() => findLayer(model, 'layer7'), /model resnet50 has no layer 'layer7'; similar: layer1, layer2/);
  });

  it('visualizes classes at any size through a pooled head, at the export size through a flattened one', () => {
    assert.equal(classTarget(torchvisionModel('googlenet'), '3').fixedInput, undefined);
    assert.deepEqual(classTarget(torchvisionModel('vgg16'), '3').fixedInput, { height: 224, width: 224 });
  });
});
