/**
 * The torchvision exports of test/fixtures/onnx/torchvision (see scripts/make_torchvision_fixtures.py)
 * with weights: the fixtures hold the graphs only, their weights as inputs, filled here with
 * seeded random values (He-scaled, or of one standard deviation as torchvision initializes some).
 */
import { readFileSync } from 'node:fs';
import { TORCH_IMAGENET_PREPROCESSING } from '../../src/core/models/descriptor.js';
import { importOnnxModel } from '../../src/core/models/onnx-import.js';
import type { LoadedModel } from '../../src/core/models/types.js';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec.js';
import { floatTensor } from '../../src/core/onnx/ir.js';
import { randomNormal } from '../core/autodiff/harness.js';

export type TorchvisionNet = 'googlenet' | 'vgg16' | 'resnet50' | 'mobilenet_v2' | 'mobilenet_v3_small';

/** The fixture's image input; every other input is a weight. */
const IMAGE = 'input';

/** The ONNX bytes of a fixture with weights: each of `std` (default: sqrt(2 / fan-in)), biases of 0.01. */
export function torchvisionBytes(net: TorchvisionNet, { std }: { std?: number } = {}): Uint8Array {
  const model = decodeModel(readFileSync(new URL(`../fixtures/onnx/torchvision/${net}.onnx`, import.meta.url)));
  const { graph } = model;
  graph.inputs.forEach((input, index) => {
    if (input.name === IMAGE) return;
    const dims = input.shape as number[];
    const fanIn = dims.slice(1).reduce((a, b) => a * b, 1);
    const scale = dims.length === 1 ? 0.01 : (std ?? Math.sqrt(2 / fanIn));
    const count = dims.reduce((a, b) => a * b, 1);
    graph.initializers.set(
      input.name,
      floatTensor(
        dims,
        randomNormal(count, 1000 + index).map((v) => v * scale),
      ),
    );
  });
  graph.inputs = graph.inputs.filter((i) => i.name === IMAGE);
  return encodeModel(model);
}

/** A fixture imported as `deepdream models add` would, its 'logits' output as the classifier's. */
export function torchvisionModel(net: TorchvisionNet, options: { std?: number } = {}): LoadedModel {
  return importOnnxModel(
    torchvisionBytes(net, options),
    { preprocessing: TORCH_IMAGENET_PREPROCESSING, logits: 'logits' },
    net,
  );
}
