/**
 * The gradient program of feature visualizations: one compiled model per layer, reduction, image
 * size and batch, computing d(objective)/d(image) for a batch of images at once, each image with
 * its own channel weights (fed as an input, so every channel of the layer shares the program).
 *
 * A channel after a ReLU that is zero everywhere on the starting image has no gradient and would
 * stay grey. So where the layer is a ReLU's output (or a Concat of them), the program also reads
 * the values before the ReLU: while `redirect` is on, positive weights apply to those, whose
 * gradient flows everywhere ("redirected ReLU", as in Lucid's first steps), then to the layer.
 */
import { buildGradientGraph, type ChannelInput } from '../autodiff/gradient-model.js';
import { GRADIENT_OUTPUT, type LayerTerm } from '../autodiff/objective.js';
import { float32Output, type Float32Tensor, type Runtime, type SessionOptions } from '../engine/runtime.js';
import type { LoadedModel } from '../models/types.js';
import { encodeModel } from '../onnx/codec.js';
import { type Graph, GraphBuilder } from '../onnx/ir.js';
import { ancestorsGraph } from '../onnx/prune.js';
import { product } from '../onnx/shape-math.js';
import { withInputShape } from '../onnx/shapes.js';
import type { FeatureReduce } from './objective.js';

export interface FeatureProgramShape {
  layer: string;
  reduce: FeatureReduce;
  /** Side of the square images. */
  size: number;
  /** Images per run. */
  batch: number;
}

export interface FeatureProgram extends FeatureProgramShape {
  /** Channels of the layer, and positions (height x width of its map) at this image size. */
  readonly channels: number;
  readonly positions: number;
  /**
   * d(objective)/d(images) for `images`, planar RGB 0..255 [batch, 3, size, size], and `weights`
   * [batch, channels] (see channelWeights): each image's gradient is that of its own objective.
   * `redirect`: positive weights read the values before the layer's ReLU, where there are some.
   */
  gradient(images: Float32Array, weights: Float32Array, redirect?: boolean): Promise<Float32Array>;
  release(): Promise<void>;
}

export async function createFeatureProgram(
  model: LoadedModel,
  shape: FeatureProgramShape,
  runtime: Runtime,
  options: SessionOptions = {},
): Promise<FeatureProgram> {
  const { layer, reduce, size, batch } = shape;
  const imageDims = [batch, 3, size, size];
  const withPre = reduce === 'mean' ? withPreActivation(model.model.graph, layer) : undefined;
  // Only the part below the layer: heads above it may be bound to another input size.
  const trunk = ancestorsGraph(withPre?.graph ?? model.model.graph, withPre ? [layer, withPre.tensor] : [layer]);
  const graph = withInputShape(trunk, model.inputName, imageDims);
  // One channel stands for all: the weights inputs are what the objective reads.
  const term = (name: string): LayerTerm => ({ kind: 'layer', layer: name, weight: 1, reduce, channels: [0] });
  const terms = withPre ? [term(layer), term(withPre.tensor)] : [term(layer)];
  const compiled = buildGradientGraph({ ...model.model, graph }, { terms });
  const [post, pre] = compiled.channelInputs as [ChannelInput, ChannelInput?];
  const [, channels = 1, ...map] = post.layerShape;
  const session = await runtime.createSession(encodeModel(compiled.model), options);
  const weightDims = [batch, channels, ...map.map(() => 1)];
  const beforeRelu = new Float32Array(batch * channels);
  const afterRelu = new Float32Array(batch * channels);
  return {
    ...shape,
    channels,
    positions: product(map),
    async gradient(images, weights, redirect = false) {
      if (images.length !== product(imageDims))
        throw new Error(`visualize: ${images.length} image values, the program takes ${imageDims.join('x')}`);
      if (weights.length !== batch * channels)
        throw new Error(`visualize: ${weights.length} weights, the program takes ${batch}x${channels}`);
      const feeds: Record<string, Float32Tensor> = { [model.inputName]: { dims: imageDims, data: images } };
      if (pre) {
        for (let i = 0; i < weights.length; i++) {
          const toPre = redirect && weights[i]! > 0;
          beforeRelu[i] = toPre ? weights[i]! : 0;
          afterRelu[i] = toPre ? 0 : weights[i]!;
        }
        feeds[post.name] = { dims: weightDims, data: afterRelu };
        feeds[pre.name] = { dims: weightDims, data: beforeRelu };
      } else {
        feeds[post.name] = { dims: weightDims, data: weights };
      }
      return float32Output(await session.run(feeds), GRADIENT_OUTPUT).data;
    },
    release: () => session.release(),
  };
}

/**
 * `graph` with a tensor holding `layer`'s values before its ReLU, channel for channel, when the
 * layer is a Relu's output or a Concat of Relu outputs.
 */
function withPreActivation(graph: Graph, layer: string): { graph: Graph; tensor: string } | undefined {
  const producers = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const reluInput = (tensor: string) => {
    const node = producers.get(tensor);
    return node?.opType === 'Relu' ? node.inputs[0] : undefined;
  };
  const direct = reluInput(layer);
  if (direct !== undefined) return { graph, tensor: direct };
  const node = producers.get(layer);
  if (node?.opType !== 'Concat') return undefined;
  const inputs = node.inputs.map(reluInput);
  if (!inputs.every((i) => i !== undefined)) return undefined;
  const copy = { ...graph, nodes: [...graph.nodes] };
  const tensor = new GraphBuilder(copy).add('Concat', inputs, node.attributes, `${layer}_before_relu`);
  return { graph: copy, tensor };
}
