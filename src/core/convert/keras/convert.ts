/**
 * Keras (tfjs-layers topology + weights) to the ONNX IR, NCHW, truncated at `lastLayer`.
 *
 * The graph input is `image`: [1, 3, height, width] float32 RGB pixels in 0..255. The Keras
 * preprocessing (x/127.5 - 1) is the first part of the graph, so gradients are with respect to
 * pixels. Each Keras layer's output tensor carries the layer's name, except for layers folded
 * into a neighbour (reported in `absent`): a linear conv followed only by BatchNormalization
 * becomes one Conv whose output is named after the BatchNormalization layer, and a ZeroPadding2D
 * consumed only by a convolution becomes that convolution's padding.
 */
import { DEFAULT_IR_VERSION, DEFAULT_OPSET, emptyGraph, GraphBuilder, type Model } from '../../onnx/ir.js';
import { GraphWriter } from './graph-writer.js';
import { IMAGE_INPUT, LAYER_EMITTERS, type EmitContext } from './layer-emitters.js';
import { layerShapes } from './shapes.js';
import { ancestorsOf, type KerasLayer, type KerasTopology } from './topology.js';
import type { KerasWeights } from './weights.js';

export { IMAGE_INPUT } from './layer-emitters.js';
/** Part of cache keys: bump whenever the graphs this converter produces change. */
export const KERAS_CONVERTER_VERSION = '1';
/** Metadata key: JSON {layer: reason} of the converted layers that have no tensor of their own. */
export const ABSENT_LAYERS_KEY = 'keras_absent_layers';

export interface KerasConvertOptions {
  /** The deepest layer to convert; only it and the layers it depends on are in the graph. */
  lastLayer: string;
  /** Graph name. */
  name?: string;
}

export interface KerasConversion {
  model: Model;
  /** The converted layers (lastLayer and its ancestors), topologically ordered. */
  layers: KerasLayer[];
  /** Converted layers without a tensor of their own, with the reason (what they were folded into). */
  absent: Map<string, string>;
}

export function convertKeras(
  topology: KerasTopology,
  weights: KerasWeights,
  options: KerasConvertOptions,
): KerasConversion {
  const { lastLayer } = options;
  const layers = ancestorsOf(topology, [lastLayer]);
  const shapes = layerShapes(topology, layers, topology.defaultInputSize);
  const consumers = new Map<string, KerasLayer[]>(layers.map((l) => [l.name, []]));
  for (const layer of layers) layer.inputs.forEach((input) => consumers.get(input)!.push(layer));

  const graph = emptyGraph(options.name ?? 'keras');
  graph.inputs.push({ name: IMAGE_INPUT, dataType: 'float32', shape: [1, 3, 'height', 'width'] });
  const ctx: EmitContext = {
    out: new GraphWriter(new GraphBuilder(graph)),
    topology,
    weights,
    shapes,
    tensorOf: new Map(),
    absent: new Map(),
    soleConsumer: (layer) => {
      const users = consumers.get(layer.name)!;
      return layer.name !== lastLayer && users.length === 1 ? users[0] : undefined;
    },
  };
  for (const layer of layers) {
    // Already handled when folded into (or folding) an earlier layer.
    if (ctx.tensorOf.has(layer.name) || ctx.absent.has(layer.name)) continue;
    const emit = LAYER_EMITTERS[layer.className];
    if (!emit) throw layer.config.error('layer type is not supported by the Keras converter');
    emit(layer, ctx);
  }

  const lastShape = shapes.get(lastLayer)!;
  if (lastShape.length !== 3) throw new Error(`Keras layer ${lastLayer}: output is not an image-shaped tensor`);
  graph.outputs.push({ name: ctx.tensorOf.get(lastLayer)!, dataType: 'float32', shape: [1, lastShape[2]!, '', ''] });
  const model: Model = {
    graph,
    opsetVersion: DEFAULT_OPSET,
    irVersion: DEFAULT_IR_VERSION,
    producerName: 'inceptionism-keras-converter',
    metadata: {
      preprocessing: 'image: RGB 0..255, NCHW; the graph applies x/127.5 - 1',
      [ABSENT_LAYERS_KEY]: JSON.stringify(Object.fromEntries(ctx.absent)),
    },
  };
  return { model, layers, absent: ctx.absent };
}

/** The `absent` map of a converted model, read back from its metadata (e.g. after a cache load). */
export function absentLayers(model: Model): Map<string, string> {
  const json = model.metadata[ABSENT_LAYERS_KEY];
  return new Map(json ? Object.entries(JSON.parse(json) as Record<string, string>) : []);
}
