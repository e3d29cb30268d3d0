/**
 * Converts a Caffe network (deploy prototxt + caffemodel) into the graph IR. The graph's input
 * is the Caffe input blob exactly as Caffe sees it (usually BGR, mean-subtracted); the model
 * importer (core/models/onnx-import.ts) wraps it with the preprocessing.
 *
 * Every Caffe blob becomes a graph value of the same name holding the blob's final content, so
 * Caffe names such as `inception_4c/output` work as layer names. Values an in-place layer later
 * overwrites (a Convolution's output before its in-place ReLU) are named `blob:producingLayer`.
 */
import { type Graph, type Model, DEFAULT_IR_VERSION, GraphBuilder, emptyGraph } from '../../onnx/ir.js';
import { type CaffeLayer, LAYER_CONVERTERS, PASS_THROUGH_TYPES, V1_TYPE_NAMES } from './layers.js';
import { inferShapes, shapeOf } from '../../onnx/shapes.js';
import { type TextMessage, parseTextFormat } from './prototxt.js';
import { type Blob, readCaffeWeights } from './weights.js';

/** Opset with LRN, ceil_mode pooling and Softmax over one axis. */
const CAFFE_OPSET = 13;

export interface CaffeNet {
  model: Model;
  /** The Caffe input blob (the graph's only input) and its declared shape, batch set to 1. */
  inputName: string;
  inputShape: number[];
}

const INPUT_LAYER_TYPES = new Set(['Input']);
const TRAINING_LAYER_TYPES = new Set(['Data', 'ImageData', 'HDF5Data', 'MemoryData', 'WindowData', 'DummyData']);
const SKIPPED_LAYER_TYPES = new Set(['Silence']);
const LOSS_OR_METRIC = /Loss$|^Accuracy$/;

interface NetInput {
  name: string;
  shape: number[];
}

function declaredInputs(net: TextMessage, layers: TextMessage[]): NetInput[] {
  const names = net.strings('input');
  if (names.length > 0) {
    const shapes = net.messages('input_shape').map((s) => s.numbers('dim'));
    const flatDims = net.numbers('input_dim');
    return names.map((name, i) => ({ name, shape: shapes[i] ?? flatDims.slice(4 * i, 4 * i + 4) }));
  }
  const inputLayer = layers.find((l) => INPUT_LAYER_TYPES.has(layerType(l)));
  if (!inputLayer) {
    if (layers.some((l) => TRAINING_LAYER_TYPES.has(layerType(l)))) {
      throw new Error("this prototxt reads training data; use the network's deploy prototxt (deploy.prototxt) instead");
    }
    throw new Error('the prototxt declares no input (neither `input:` nor an Input layer)');
  }
  const shapes = inputLayer.message('input_param')?.messages('shape') ?? [];
  return inputLayer.strings('top').map((name, i) => ({ name, shape: (shapes[i] ?? shapes[0])?.numbers('dim') ?? [] }));
}

function layerType(l: TextMessage): string {
  const t = l.all('type').at(-1);
  if (typeof t === 'string') return t;
  if (typeof t === 'object' && 'ident' in t) return V1_TYPE_NAMES[t.ident] ?? t.ident;
  throw l.error('layer has no type');
}

/** Caffe's include/exclude rules, for the TEST phase a deployed network runs in. */
function inTestPhase(l: TextMessage): boolean {
  const phaseOf = (rule: TextMessage) => rule.enumName('phase', ['TRAIN', 'TEST'], '');
  const include = l.messages('include');
  if (include.length > 0 && !include.some((r) => phaseOf(r) === 'TEST' || phaseOf(r) === '')) return false;
  return !l.messages('exclude').some((r) => phaseOf(r) === 'TEST');
}

/** Blob name → current graph value, and which values were made for which blob. */
class BlobTable {
  private readonly current = new Map<string, string>();
  /** Values produced for a blob (not merely passed through); the last one is renamed to the blob. */
  private readonly owned = new Map<string, string>();

  constructor(inputs: NetInput[]) {
    for (const i of inputs) this.current.set(i.name, i.name);
  }

  get(blob: string, layer: string): string {
    const v = this.current.get(blob);
    if (v === undefined)
      throw new Error(`Caffe layer '${layer}': bottom blob '${blob}' is not produced by any earlier layer`);
    return v;
  }

  produce(blob: string, value: string): void {
    this.current.set(blob, value);
    this.owned.set(blob, value);
  }

  alias(blob: string, value: string): void {
    // An in-place pass-through (Dropout top == bottom) leaves the blob as it is.
    if (this.current.get(blob) === value) return;
    this.current.set(blob, value);
    this.owned.delete(blob);
  }

  /** Final value of each blob that owns it → the blob's name. */
  renames(): Map<string, string> {
    const renames = new Map<string, string>();
    for (const [blob, value] of this.owned) if (this.current.get(blob) === value) renames.set(value, blob);
    return renames;
  }
}

function renameValues(graph: Graph, renames: Map<string, string>): void {
  const r = (v: string) => renames.get(v) ?? v;
  for (const n of graph.nodes) {
    n.inputs = n.inputs.map(r);
    n.outputs = n.outputs.map(r);
  }
  graph.outputs = graph.outputs.map((o) => ({ ...o, name: r(o.name) }));
}

/** Parses and converts a deploy prototxt and its caffemodel; one-line errors name the layer at fault. */
export function convertCaffe(prototxt: string, caffemodel: Uint8Array): CaffeNet {
  const net = parseTextFormat(prototxt);
  const layerBlocks = [...net.messages('layer'), ...net.messages('layers')];
  if (layerBlocks.length === 0) throw new Error('the prototxt defines no layers; is it a Caffe deploy prototxt?');
  const weights = readCaffeWeights(caffemodel);
  const inputs = declaredInputs(net, layerBlocks);
  if (inputs.length !== 1)
    throw new Error(`the network has ${inputs.length} inputs; only single-input image networks are supported`);
  const input = inputs[0]!;
  if (input.shape.length !== 4)
    throw new Error(`input '${input.name}' should have 4 dimensions (N, C, H, W), has ${JSON.stringify(input.shape)}`);
  const inputShape = [1, ...input.shape.slice(1)];

  const graph = emptyGraph(net.string('name') ?? 'caffe');
  graph.inputs.push({ name: input.name, dataType: 'float32', shape: inputShape });
  const builder = new GraphBuilder(graph);
  const blobs = new BlobTable(inputs);
  const consumed = new Set<string>();
  const producedOrder: string[] = [];

  for (const block of layerBlocks) {
    const type = layerType(block);
    const name = block.string('name') ?? `${type}_${graph.nodes.length}`;
    if (INPUT_LAYER_TYPES.has(type) || SKIPPED_LAYER_TYPES.has(type) || !inTestPhase(block)) continue;
    if (TRAINING_LAYER_TYPES.has(type) || LOSS_OR_METRIC.test(type)) {
      throw new Error(`Caffe layer '${name}' (${type}) belongs to a training network; use the deploy prototxt`);
    }
    const tops = block.strings('top');
    const bottoms = block.strings('bottom').map((b) => blobs.get(b, name));
    bottoms.forEach((b) => consumed.add(b));
    if (PASS_THROUGH_TYPES.has(type)) {
      tops.forEach((t) => blobs.alias(t, bottoms[0]!));
      continue;
    }
    const converter = LAYER_CONVERTERS[type];
    if (!converter) {
      throw new Error(
        `Caffe layer '${name}' has type ${type}, which the converter does not support (supported: ${Object.keys(LAYER_CONVERTERS).join(', ')}, Dropout, Split)`,
      );
    }
    const layer: CaffeLayer = { name, type, params: block, bottoms, blobs: weights.get(name) ?? ([] as Blob[]) };
    const outputs = converter(layer, {
      node: (opType, nodeInputs, attributes = {}) => builder.add(opType, nodeInputs, attributes, `${name}:${opType}`),
      constant: (hint, tensor) => builder.constant(hint, tensor),
    });
    if (outputs.length !== tops.length)
      throw new Error(`Caffe layer '${name}' (${type}) should have ${outputs.length} top(s), has ${tops.length}`);
    // Results come from the layer's last node (constants add no nodes).
    const node = graph.nodes.at(-1)!;
    outputs.forEach((value, i) => {
      // The layer's result value takes the name `top:layer` until renamed to the blob.
      const versioned = builder.fresh(`${tops[i]}:${name}`);
      node.outputs = node.outputs.map((o) => (o === value ? versioned : o));
      blobs.produce(tops[i]!, versioned);
      producedOrder.push(versioned);
    });
  }

  // The network's outputs: final blob values no layer consumed (e.g. `prob`).
  const renames = blobs.renames();
  const outputs = producedOrder.filter((v) => !consumed.has(v) && renames.has(v));
  if (outputs.length === 0) throw new Error('the network produces no output blob');
  renameValues(graph, renames);
  inferShapes(graph);
  graph.outputs = outputs.map((v) => {
    const name = renames.get(v)!;
    return { name, dataType: 'float32' as const, shape: shapeOf(graph, name) };
  });
  return {
    model: {
      graph,
      opsetVersion: CAFFE_OPSET,
      irVersion: DEFAULT_IR_VERSION,
      producerName: 'inceptionism-caffe',
      metadata: {},
    },
    inputName: input.name,
    inputShape,
  };
}
