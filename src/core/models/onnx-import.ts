/**
 * Imports foreign networks (ONNX files, converted Caffe nets) as dream models: the result takes
 * 'image' NCHW [1, 3, H, W] RGB 0..255 like the bundled models, with the network's own
 * preprocessing (channel order, range, mean, std, layout) built into the graph as one 1x1 Conv.
 */
import { decodeModel } from '../onnx/codec.js';
import {
  type Dim,
  type Graph,
  type Model,
  type Node,
  GraphBuilder,
  floatTensor,
  int64Tensor,
  ints,
} from '../onnx/ir.js';
import { convertCaffe } from '../convert/caffe/convert.js';
import {
  type LabelSetReader,
  type ModelDescriptor,
  type Preprocessing,
  LABELS_METADATA,
  LOGITS_METADATA,
  resolveLabels,
} from './descriptor.js';
import { blockAt, findBlocks } from './blocks.js';
import { findLayerIfAny } from './layers.js';
import { listLayers, minimumInputSize } from './onnx-layers.js';
import type { BlockInfo, LayerInfo, LoadedModel } from './types.js';

export const IMAGE_INPUT = 'image';
/** Metadata key holding the descriptor the model was imported with. */
const DESCRIPTOR_METADATA = 'inceptionism.descriptor';
const DEFAULT_SIZE = 224;
const MIN_OPSET = 13;
/** Names of the wrapper's nodes start with this. */
const PREPROCESS_PREFIX = 'inceptionism_preprocess';

// ---------------------------------------------------------------- opset upgrade

/** Attributes older opsets allowed that opset 13 (and ORT's checker) reject. */
const OBSOLETE_ATTRIBUTES = ['consumed_inputs', 'spatial', 'is_test', 'broadcast'];

/**
 * Rewrites the nodes whose signature changed before opset 13 (attributes that became inputs,
 * Softmax's axis semantics), so that exporter output from opset 7 onwards meets the autodiff's
 * opset 13 requirement.
 */
function upgradeToOpset13(model: Model): void {
  if (model.opsetVersion >= MIN_OPSET) return;
  const old = model.opsetVersion;
  const builder = new GraphBuilder(model.graph);
  const rank = (value: string): number | undefined => model.graph.valueInfo.get(value)?.shape.length;
  for (const node of model.graph.nodes) {
    for (const a of OBSOLETE_ATTRIBUTES) delete node.attributes[a];
    const moveToInput = (attr: string, position: number, make: (v: number[]) => string) => {
      const a = node.attributes[attr];
      if (!a) return;
      delete node.attributes[attr];
      const value = a.type === 'ints' ? a.value : a.type === 'int' || a.type === 'float' ? [a.value] : [];
      while (node.inputs.length < position) node.inputs.push('');
      node.inputs[position] = make(value);
    };
    switch (node.opType) {
      case 'Dropout':
        delete node.attributes['ratio'];
        node.outputs = node.outputs.slice(0, 1);
        break;
      case 'Softmax':
      case 'LogSoftmax': {
        // Before 13, Softmax flattened everything from `axis` on; it equals the per-axis form when axis is last.
        const axis = node.attributes['axis'];
        const r = rank(node.inputs[0]!);
        const a = axis?.type === 'int' ? axis.value : 1;
        if (r !== undefined && a !== r - 1 && a !== -1)
          throw new Error(
            `ONNX node ${node.name}: ${node.opType} over axes ${a}.. (opset ${old}) is not supported; re-export the model with opset 13 or later`,
          );
        if (r === undefined && a !== 1)
          throw new Error(
            `ONNX node ${node.name}: cannot upgrade ${node.opType} from opset ${old}; re-export with opset 13 or later`,
          );
        node.attributes['axis'] = { type: 'int', value: -1 };
        break;
      }
      case 'Squeeze':
      case 'Unsqueeze':
      case 'ReduceSum':
        moveToInput('axes', 1, (v) => builder.constant(`${node.name}:axes`, int64Tensor([v.length], v)));
        break;
      case 'Pad':
        if (old < 11) {
          const value = node.attributes['value'];
          delete node.attributes['value'];
          moveToInput('pads', 1, (v) => builder.constant(`${node.name}:pads`, int64Tensor([v.length], v)));
          if (value?.type === 'float' && value.value !== 0)
            node.inputs[2] = builder.constant(`${node.name}:value`, floatTensor([], [value.value]));
        }
        break;
      case 'Clip':
        if (old < 11) {
          const min = node.attributes['min'];
          const max = node.attributes['max'];
          delete node.attributes['min'];
          delete node.attributes['max'];
          node.inputs[1] =
            min?.type === 'float' ? builder.constant(`${node.name}:min`, floatTensor([], [min.value])) : '';
          if (max?.type === 'float')
            node.inputs[2] = builder.constant(`${node.name}:max`, floatTensor([], [max.value]));
        }
        break;
      case 'Upsample':
      case 'Scatter':
        throw new Error(
          `ONNX node ${node.name}: op ${node.opType} (opset ${old}) is not supported; re-export the model with opset 13 or later`,
        );
      default:
    }
  }
  model.opsetVersion = MIN_OPSET;
}

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
  const listed = listLayers({ graph: model.graph, input: IMAGE_INPUT, size, hidden, ...(keep && { keep }) });
  const dreamable = listed.filter((l) => l.dreamable);
  if (dreamable.length === 0) {
    const reason = listed.find((l) => l.reason)?.reason;
    throw new Error(
      `model '${name}' has no layer that can be dreamed${reason ? `: ${reason}` : ' (no 4-D activations)'}`,
    );
  }
  const blocks = findBlocks(model.graph, listed);
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
    ...(blocks.all.length > 0 && { blocks: blocks.all }),
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
      blockAt(blocks.listed, layers, 2 / 3)?.name ??
      dreamable[Math.floor((dreamable.length * 2) / 3)]!.name,
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
