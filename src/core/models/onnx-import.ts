/**
 * Imports foreign networks (ONNX files, converted Caffe nets) as dream models: the result takes
 * 'image' NCHW [1, 3, H, W] RGB 0..255 like the bundled models, with the network's own
 * preprocessing (channel order, range, mean, std, layout) built into the graph as one 1x1 Conv.
 */
import { decodeModel } from '../onnx/codec.js';
import { upgradeToOpset13 } from '../onnx/opset-upgrade.js';
import { type Dim, type Graph, type Model, type Node, GraphBuilder, floatTensor, ints } from '../onnx/ir.js';
import { convertCaffe } from '../convert/caffe/convert.js';
import {
  type LabelSetReader,
  type ModelDescriptor,
  type Preprocessing,
  LABELS_METADATA,
  LOGITS_METADATA,
  resolveLabels,
} from './descriptor.js';
import { blockAt, findBlocks, nameAtDepth } from './blocks.js';
import { DEFAULT_LAYER_DEPTH } from './depth.js';
import { findLayerIfAny } from './layers.js';
import { droppedLayers, listLayers, minimumInputSize } from './onnx-layers.js';
import type { BlockInfo, LayerInfo, LoadedModel } from './types.js';

export const IMAGE_INPUT = 'image';
/** Metadata key holding the descriptor the model was imported with. */
const DESCRIPTOR_METADATA = 'inceptionism.descriptor';
const DEFAULT_SIZE = 224;
/** Names of the wrapper's nodes start with this. */
const PREPROCESS_PREFIX = 'inceptionism_preprocess';

// ---------------------------------------------------------------- input and preprocessing

interface DetectedInput {
  name: string;
  layout: 'NCHW' | 'NHWC';
  size: [number, number];
}

function detectInput(graph: Graph, descriptor: ModelDescriptor): DetectedInput {
  const candidates = descriptor.input
    ? graph.inputs.filter((i) => i.name === descriptor.input)
    : graph.inputs.filter((i) => i.dataType === 'float32' && i.shape.length === 4);
  if (descriptor.input && candidates.length === 0) {
    throw new Error(
      `the model has no input '${descriptor.input}' (inputs: ${graph.inputs.map((i) => i.name).join(', ')})`,
    );
  }
  if (candidates.length !== 1) {
    throw new Error(
      `the model has ${candidates.length} 4-D float inputs; name the image input in the descriptor ("input")`,
    );
  }
  const input = candidates[0]!;
  if (input.shape.length !== 4)
    throw new Error(`input '${input.name}' has shape ${JSON.stringify(input.shape)}; an image input is 4-D`);
  const layout = descriptor.layout ?? (input.shape[1] === 3 ? 'NCHW' : input.shape[3] === 3 ? 'NHWC' : undefined);
  if (!layout)
    throw new Error(
      `cannot tell the layout of input '${input.name}' ${JSON.stringify(input.shape)}; set "layout" in the descriptor`,
    );
  const channels = layout === 'NCHW' ? input.shape[1] : input.shape[3];
  if (typeof channels === 'number' && channels !== 3)
    throw new Error(`input '${input.name}' has ${channels} channels; only 3-channel image models are supported`);
  const [h, w] = layout === 'NCHW' ? [input.shape[2], input.shape[3]] : [input.shape[1], input.shape[2]];
  const size: [number, number] = descriptor.inputSize ?? [
    typeof h === 'number' && h > 0 ? h : DEFAULT_SIZE,
    typeof w === 'number' && w > 0 ? w : DEFAULT_SIZE,
  ];
  return { name: input.name, layout, size };
}

/**
 * Per model channel c: (lo + pixel[src(c)] * (hi - lo) / 255 - mean[c]) / std[c], an affine map
 * of the RGB pixels, i.e. a 1x1 Conv (which every gradient path supports).
 */
function preprocessingConv(p: Preprocessing): { weight: Float32Array; bias: Float32Array } {
  const weight = new Float32Array(9);
  const bias = new Float32Array(3);
  const [lo, hi] = p.range;
  for (let c = 0; c < 3; c++) {
    const source = p.channelOrder === 'BGR' ? 2 - c : c;
    weight[c * 3 + source] = (hi - lo) / 255 / p.std[c]!;
    bias[c] = (lo - p.mean[c]!) / p.std[c]!;
  }
  return { weight, bias };
}

/** Puts the 'image' input and the preprocessing in front of the network's own input. */
function wrapWithPreprocessing(model: Model, input: DetectedInput, p: Preprocessing): string[] {
  const graph = model.graph;
  const builder = new GraphBuilder(graph);
  let target = input.name;
  if (target === IMAGE_INPUT) {
    // The network's input is already called 'image': rename it so the wrapper can take the name.
    target = builder.fresh('image:network_input');
    for (const n of graph.nodes) n.inputs = n.inputs.map((i) => (i === IMAGE_INPUT ? target : i));
  }
  graph.inputs = graph.inputs.filter((i) => i.name !== input.name);
  graph.inputs.unshift({ name: IMAGE_INPUT, dataType: 'float32', shape: [1, 3, 'height', 'width'] });
  const { weight, bias } = preprocessingConv(p);
  const w = builder.constant(`${PREPROCESS_PREFIX}:weight`, floatTensor([3, 3, 1, 1], weight));
  const b = builder.constant(`${PREPROCESS_PREFIX}:bias`, floatTensor([3], bias));
  const nodes: Node[] = [];
  const convOut = input.layout === 'NCHW' ? target : builder.fresh(`${PREPROCESS_PREFIX}:nchw`);
  nodes.push({
    opType: 'Conv',
    name: builder.fresh(PREPROCESS_PREFIX),
    inputs: [IMAGE_INPUT, w, b],
    outputs: [convOut],
    attributes: { kernel_shape: ints([1, 1]) },
  });
  if (input.layout === 'NHWC') {
    nodes.push({
      opType: 'Transpose',
      name: builder.fresh(`${PREPROCESS_PREFIX}:to_nhwc`),
      inputs: [convOut],
      outputs: [target],
      attributes: { perm: ints([0, 2, 3, 1]) },
    });
  }
  graph.nodes.unshift(...nodes);
  // Shapes recorded for the old fixed-size input no longer hold.
  graph.valueInfo.clear();
  // Spatial output sizes follow the image size; batch and channels stay.
  graph.outputs = graph.outputs.map((o) => ({ ...o, shape: o.shape.map((d, i): Dim => (i < 2 ? d : '')) }));
  return nodes.flatMap((n) => n.outputs);
}

// ---------------------------------------------------------------- classifier

/** The classifier's logits: the input of a final Softmax, else a 2-D graph output. */
function detectLogits(graph: Graph): string | undefined {
  for (const out of graph.outputs) {
    const producer = graph.nodes.find((n) => n.outputs.includes(out.name));
    if (producer?.opType === 'Softmax') return producer.inputs[0];
  }
  return undefined;
}

// ---------------------------------------------------------------- importers

/** Metadata flag of converted Caffe nets: their layers are the Caffe blobs (names without ':'). */
const CAFFE_METADATA = 'inceptionism.caffe';
const isCaffeBlob = (name: string): boolean => !name.includes(':');

/** Layer list, blocks, default layer and minimum size of a model whose graph already starts at 'image'. */
function describe(
  model: Model,
  descriptor: ModelDescriptor,
  size: [number, number],
  hidden: Set<string>,
  name: string,
): LoadedModel {
  const keep = model.metadata[CAFFE_METADATA] === '1' ? isCaffeBlob : undefined;
  const dropped = droppedLayers(model);
  const listed = [
    ...listLayers({ graph: model.graph, input: IMAGE_INPUT, size, hidden, ...(keep && { keep }) }),
    ...dropped.layers,
  ];
  const dreamable = listed.filter((l) => l.dreamable);
  if (dreamable.length === 0) {
    const reason = listed.find((l) => l.reason)?.reason;
    throw new Error(
      `model '${name}' has no layer that can be dreamed${reason ? `: ${reason}` : ' (no 4-D activations)'}`,
    );
  }
  const blocks = findBlocks(model.graph, listed);
  const position = (b: BlockInfo): number => listed.findIndex((l) => l.name === b.output);
  const allBlocks = [...blocks.all, ...dropped.blocks].sort((a, b) => position(a) - position(b));
  const layers = listed.map((l) => {
    const block = blocks.groupOf.get(l.name);
    return block === undefined ? l : { ...l, block };
  });
  const partial: Omit<LoadedModel, 'defaultLayer' | 'minInputSize'> = {
    name,
    model,
    inputName: IMAGE_INPUT,
    defaultInputSize: size,
    layers,
    ...(allBlocks.length > 0 && { blocks: allBlocks }),
  };
  for (const l of [descriptor.defaultLayer, ...(descriptor.recommendedLayers ?? [])]) {
    if (l !== undefined && !findLayerIfAny(partial, l)?.dreamable)
      throw new Error(`model '${name}': layer '${l}' named in the descriptor is not a dreamable layer of the network`);
  }
  const recommended = descriptor.recommendedLayers ?? suggestedLayers(blocks.listed, layers);
  return {
    ...partial,
    minInputSize: minimumInputSize(model.graph, IMAGE_INPUT, dreamable.at(-1)!.name, Math.max(...size)),
    defaultLayer:
      descriptor.defaultLayer ??
      descriptor.recommendedLayers?.[0] ??
      nameAtDepth(blocks.listed, layers, DEFAULT_LAYER_DEPTH),
    ...(recommended.length > 0 && { recommendedLayers: recommended }),
  };
}

/** Blocks a third and two thirds of the way up, and the deepest: fine patterns, parts, objects. */
function suggestedLayers(blocks: BlockInfo[], layers: LayerInfo[]): string[] {
  const names = [1 / 3, 2 / 3, 1].map((f) => blockAt(blocks, layers, f)?.name);
  return [...new Set(names.filter((n) => n !== undefined))];
}

/** Wraps an IR network (input in the network's own convention) into a dream model. */
function importGraphModel(
  model: Model,
  descriptor: ModelDescriptor,
  name: string,
  readLabelSet: LabelSetReader | undefined,
): LoadedModel {
  upgradeToOpset13(model);
  const input = detectInput(model.graph, descriptor);
  const hidden = new Set(wrapWithPreprocessing(model, input, descriptor.preprocessing));
  const stored: ModelDescriptor = { ...descriptor, inputSize: input.size };
  const metadata: Record<string, string> = { ...model.metadata, [DESCRIPTOR_METADATA]: JSON.stringify(stored) };
  const logits = descriptor.logits ?? detectLogits(model.graph);
  const labels = resolveLabels(descriptor.labels, readLabelSet);
  if (logits) {
    metadata[LOGITS_METADATA] = logits;
    if (labels) metadata[LABELS_METADATA] = JSON.stringify(labels);
  }
  return describe({ ...model, metadata }, stored, input.size, hidden, name);
}

/**
 * Imports an ONNX image classifier or trunk whose ops the autodiff supports. `readLabelSet`
 * resolves a descriptor's label set id (the host's label files).
 */
export function importOnnxModel(
  bytes: Uint8Array,
  descriptor: ModelDescriptor,
  name = 'onnx-model',
  readLabelSet?: LabelSetReader,
): LoadedModel {
  return importGraphModel(decodeModel(bytes), descriptor, name, readLabelSet);
}

/** Converts a Caffe deploy prototxt + caffemodel; layers are the Caffe blobs (e.g. inception_4c/output). */
export function importCaffeModel(
  prototxt: string,
  caffemodel: Uint8Array,
  descriptor: ModelDescriptor,
  name = 'caffe-model',
  readLabelSet?: LabelSetReader,
): LoadedModel {
  const net = convertCaffe(prototxt, caffemodel);
  net.model.metadata[CAFFE_METADATA] = '1';
  const size = descriptor.inputSize ?? (net.inputShape.slice(2) as [number, number]);
  const netDescriptor: ModelDescriptor = { ...descriptor, input: net.inputName, layout: 'NCHW', inputSize: size };
  return importGraphModel(net.model, netDescriptor, name, readLabelSet);
}

/** Re-reads a model imported earlier (an .onnx file written from `LoadedModel.model`). */
export function loadImportedModel(bytes: Uint8Array, name: string): LoadedModel {
  const model = decodeModel(bytes);
  const stored = model.metadata[DESCRIPTOR_METADATA];
  if (!stored)
    throw new Error(`the model file of '${name}' was not written by 'deepdream models add'; add the model again`);
  const descriptor = JSON.parse(stored) as ModelDescriptor;
  const hidden = new Set(
    model.graph.nodes.filter((n) => n.name.startsWith(PREPROCESS_PREFIX)).flatMap((n) => n.outputs),
  );
  return describe(model, descriptor, descriptor.inputSize ?? [DEFAULT_SIZE, DEFAULT_SIZE], hidden, name);
}
