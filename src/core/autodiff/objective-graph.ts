/**
 * Writes an Objective into the graph as forward ops that read its layers, so the backward pass
 * differentiates it with the same rules as the network. Its parameters are graph inputs (guide
 * features, the weights of chosen channels): one compiled model serves every channel list.
 */
import {
  type Attribute,
  type DataType,
  type Dim,
  type Graph,
  GraphBuilder,
  type ValueInfo,
  floatTensor,
  int,
  int64Tensor,
  ints,
} from '../onnx/ir.js';
import { product } from '../onnx/shape-math.js';
import { shapeOf } from '../onnx/shapes.js';
import { type GuideTerm, type LayerTerm, type Objective, checkChannels, guideInputName } from './objective.js';

/** A graph input of per-channel weights [1, C, 1…] for one term: weight / count on each chosen channel. */
export interface ChannelInput {
  name: string;
  /** Index of the term in the objective. */
  term: number;
  /** Shape of the term's layer. */
  layerShape: number[];
}

export interface ObjectiveGraph {
  /** Float32 scalar (shape []). */
  value: string;
  /** Graph inputs the terms read: guide features and channel weights. */
  inputs: ValueInfo[];
  channelInputs: ChannelInput[];
}

export type Float32Feeds = Record<string, { dims: number[]; data: Float32Array }>;

const NO_CHANNEL_AXIS = (layer: string): string =>
  `objective: layer ${layer} needs a non-empty channel list on a tensor with a channel axis`;

/** Per-channel values and weights of a layer of `layerShape` [N, C, …]: [N, C, 1…], a row per image of a batch. */
const channelWeightsDims = (layerShape: number[]): number[] => [
  layerShape[0]!,
  layerShape[1]!,
  ...layerShape.slice(2).map(() => 1),
];

/** Writes the objective's nodes, recording each output's shape (the backward rules read them). */
class ObjectiveWriter {
  private readonly builder: GraphBuilder;

  constructor(
    readonly graph: Graph,
    private readonly opsetVersion: number,
  ) {
    this.builder = new GraphBuilder(graph);
  }

  fresh(hint: string): string {
    return this.builder.fresh(hint);
  }

  add(
    opType: string,
    inputs: string[],
    shape: Dim[],
    attributes: Record<string, Attribute> = {},
    dataType: DataType = 'float32',
  ): string {
    const name = this.builder.add(opType, inputs, attributes, `objective_${opType}`);
    this.graph.valueInfo.set(name, { name, dataType, shape });
    return name;
  }

  scalar(value: number): string {
    return this.builder.constant('objective_const', floatTensor([], [value]));
  }

  int64s(values: number[]): string {
    return this.builder.constant('objective_ints', int64Tensor([values.length], values));
  }

  sumAll(value: string): string {
    return this.add('ReduceSum', [value], [], { keepdims: int(0) });
  }

  /**
   * Sums over every axis but the channels and a batch's images, to [N, C, 1…] (ReduceSumSquare
   * takes axes as an input from opset 18).
   */
  reduceKeepingChannels(op: 'ReduceSum' | 'ReduceSumSquare', value: string, shape: number[]): string {
    const axes = shape.flatMap((_, axis) => (axis === 1 || (axis === 0 && shape[0]! > 1) ? [] : [axis]));
    const dims = channelWeightsDims(shape);
    const keepdims = int(1);
    if (op === 'ReduceSumSquare' && this.opsetVersion < 18)
      return this.add(op, [value], dims, { axes: ints(axes), keepdims });
    return this.add(op, [value, this.int64s(axes)], dims, { keepdims });
  }
}

interface TermGraph {
  value: string;
  input?: ValueInfo;
}

/**
 * weight * mean(x) or weight * mean(x^2), over all channels or chosen ones. Sums come first and
 * weights last, so the backward pass meets the weights as constants (chosen-channel weights at
 * channel resolution) and the layer's gradient costs one product, as if written by hand.
 */
function layerTerm(term: LayerTerm, index: number, w: ObjectiveWriter): TermGraph {
  const shape = shapeOf(w.graph, term.layer);
  const op = term.reduce === 'mean' ? 'ReduceSum' : 'ReduceSumSquare';
  if (term.channels === undefined) {
    const total = w.add(op, [term.layer], [], { keepdims: int(0) });
    return { value: w.add('Mul', [total, w.scalar(term.weight / product(shape))], []) };
  }
  if (shape.length < 2) throw new Error(NO_CHANNEL_AXIS(term.layer));
  const dims = channelWeightsDims(shape);
  const input: ValueInfo = { name: w.fresh(`channel_weights__${index}`), dataType: 'float32', shape: dims };
  const perChannel = w.reduceKeepingChannels(op, term.layer, shape);
  return { value: w.sumAll(w.add('Mul', [perChannel, input.name], dims)), input };
}

/**
 * Each position p of x [1, C, …] matches the guide column g (of [C, M]) maximising x_p·g; the term
 * is weight * mean_p x_p·g(p). The match (an integer ArgMax) carries no gradient.
 */
function guideTerm(term: GuideTerm, w: ObjectiveWriter): Required<TermGraph> {
  const shape = shapeOf(w.graph, term.layer);
  if (shape.length < 2 || shape[0] !== 1)
    throw new Error(`objective: guide layer ${term.layer} must have shape [1, C, …]`);
  const channels = shape[1]!;
  const positions = product(shape.slice(2));
  const count = 'guide_count';
  const input: ValueInfo = { name: guideInputName(term.layer), dataType: 'float32', shape: [channels, count] };
  const columnShape = [channels, positions];
  const columns = w.add('Reshape', [term.layer, w.int64s(columnShape)], columnShape);
  const rows = w.add('Transpose', [columns], [positions, channels], { perm: ints([1, 0]) });
  const scores = w.add('MatMul', [rows, input.name], [positions, count]);
  const best = w.add('ArgMax', [scores], [positions], { axis: int(1), keepdims: int(0) }, 'int64');
  const matched = w.add('Gather', [input.name, best], columnShape, { axis: int(1) });
  const dots = w.sumAll(w.add('Mul', [columns, matched], columnShape));
  return { value: w.add('Mul', [dots, w.scalar(term.weight / positions)], []), input };
}

/** Adds the objective's nodes to `graph` (of a model of `opsetVersion`), which holds its layers with shapes. */
export function buildObjectiveGraph(objective: Objective, graph: Graph, opsetVersion: number): ObjectiveGraph {
  if (objective.terms.length === 0) throw new Error('objective: no terms');
  const w = new ObjectiveWriter(graph, opsetVersion);
  const values: string[] = [];
  const inputs: ValueInfo[] = [];
  const channelInputs: ChannelInput[] = [];
  objective.terms.forEach((term, index) => {
    if (!Number.isFinite(term.weight))
      throw new Error(`objective: weight of layer ${term.layer} is not a finite number`);
    const { value, input } = term.kind === 'guide' ? guideTerm(term, w) : layerTerm(term, index, w);
    if (input) {
      if (inputs.some((i) => i.name === input.name))
        throw new Error(`objective: two guide terms on layer ${term.layer}`);
      inputs.push(input);
      if (term.kind === 'layer')
        channelInputs.push({ name: input.name, term: index, layerShape: shapeOf(graph, term.layer) });
    }
    values.push(value);
  });
  const value = values.reduce((acc, v) => w.add('Add', [acc, v], []));
  return { value, inputs, channelInputs };
}

/** The channel weights `objective` feeds to `inputs` (its terms' channel lists, checked against the layers). */
export function channelFeeds(inputs: ChannelInput[], objective: Objective): Float32Feeds {
  const feeds: Float32Feeds = {};
  for (const { name, term: index, layerShape } of inputs) {
    const term = objective.terms[index];
    if (term?.kind !== 'layer' || term.channels === undefined)
      throw new Error(`objective: term ${index} must be a layer term with a channel list`);
    feeds[name] = { dims: channelWeightsDims(layerShape), data: channelWeights(term, term.channels, layerShape) };
  }
  return feeds;
}

/** weight / count on each chosen channel (repeats count twice, as in a gather), count = values averaged. */
function channelWeights(term: LayerTerm, channels: number[], shape: number[]): Float32Array {
  if (channels.length === 0) throw new Error(NO_CHANNEL_AXIS(term.layer));
  const channelCount = shape[1]!;
  checkChannels(term.layer, channelCount, channels);
  const scale = term.weight / ((product(shape) / channelCount) * channels.length);
  const weights = new Float32Array(channelCount);
  for (const c of channels) weights[c]! += scale;
  return weights;
}
