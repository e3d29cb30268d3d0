/**
 * Writes an Objective into the graph: its scalar value and, for each term, the gradient of
 * that value with respect to the term's activation (derived by hand, so the backward pass
 * starts at the layers without differentiating the reductions).
 */
import { type ValueInfo, int } from '../onnx/ir.js';
import { product } from '../onnx/shape-math.js';
import type { GradContext } from './grad-context.js';
import { type GuideTerm, type LayerTerm, type Objective, guideInputName } from './objective.js';

export interface ObjectiveGraph {
  /** Float32 scalar (shape []). */
  value: string;
  /** d value / d activation, one entry per term. */
  seeds: { layer: string; grad: string }[];
  /** Extra graph inputs the terms read (guide features). */
  extraInputs: ValueInfo[];
}

/** One term's value and its gradient with respect to its layer; `input` is a graph input it reads. */
interface TermGraph {
  value: string;
  grad: string;
  input?: ValueInfo;
}

/** Per-channel weights [1, C, 1…] giving `scale` to each listed channel (repeats count twice, as in a gather). */
function channelWeights(term: LayerTerm, shape: number[], scale: number, ctx: GradContext): string {
  const channels = shape[1]!;
  const weights = new Float32Array(channels);
  for (const c of term.channels!) {
    if (!Number.isInteger(c) || c < 0 || c >= channels) {
      throw new Error(`objective: channel ${c} is out of range for layer ${term.layer} with ${channels} channels`);
    }
    weights[c]! += scale;
  }
  return ctx.floats([1, channels, ...shape.slice(2).map(() => 1)], weights);
}

function layerTerm(term: LayerTerm, ctx: GradContext): TermGraph {
  const shape = ctx.shape(term.layer);
  const act = term.layer;
  if (term.channels !== undefined && (term.channels.length === 0 || shape.length < 2)) {
    throw new Error(`objective: layer ${term.layer} needs a non-empty channel list on a tensor with a channel axis`);
  }
  const count = term.channels ? (product(shape) / shape[1]!) * term.channels.length : product(shape);
  const scale = term.weight / count;
  const weights = term.channels ? channelWeights(term, shape, scale, ctx) : ctx.scalar(scale);
  const sumAll = (value: string): string => ctx.add('ReduceSum', [value], { keepdims: int(0) });
  const weighted = ctx.add('Mul', [act, weights]);
  if (term.reduce === 'mean') return { value: sumAll(weighted), grad: ctx.add('Expand', [weights, ctx.int64s(shape)]) };
  return {
    value: sumAll(ctx.add('Mul', [weighted, act])),
    grad: ctx.add('Mul', [weighted, ctx.scalar(2)]),
  };
}

/**
 * Each position p of x [1, C, …] matches the guide column g (of [C, M]) maximising x_p·g; the term
 * is weight * mean_p x_p·g(p) and, the match being held fixed, its gradient is weight/P * g(p).
 */
function guideTerm(term: GuideTerm, ctx: GradContext): Required<TermGraph> {
  const shape = ctx.shape(term.layer);
  if (shape.length < 2 || shape[0] !== 1)
    throw new Error(`objective: guide layer ${term.layer} must have shape [1, C, …]`);
  const channels = shape[1]!;
  const positions = product(shape.slice(2));
  const input: ValueInfo = { name: guideInputName(term.layer), dataType: 'float32', shape: [channels, 'guide_count'] };
  const columns = ctx.reshape(term.layer, [channels, positions]);
  const scores = ctx.add('MatMul', [ctx.transpose(columns, [1, 0]), input.name]);
  const best = ctx.add('ArgMax', [scores], { axis: int(1), keepdims: int(0) });
  const matched = ctx.add('Gather', [input.name, best], { axis: int(1) });
  const grad = ctx.add('Mul', [matched, ctx.scalar(term.weight / positions)]);
  const value = ctx.add('ReduceSum', [ctx.add('Mul', [columns, grad])], { keepdims: int(0) });
  return { value, grad: ctx.reshape(grad, shape), input };
}

export function buildObjectiveGraph(objective: Objective, ctx: GradContext): ObjectiveGraph {
  if (objective.terms.length === 0) throw new Error('objective: no terms');
  const values: string[] = [];
  const seeds: ObjectiveGraph['seeds'] = [];
  const extraInputs: ValueInfo[] = [];
  for (const term of objective.terms) {
    if (!Number.isFinite(term.weight))
      throw new Error(`objective: weight of layer ${term.layer} is not a finite number`);
    const { value, grad, input } = term.kind === 'guide' ? guideTerm(term, ctx) : layerTerm(term, ctx);
    if (input) {
      if (extraInputs.some((i) => i.name === input.name))
        throw new Error(`objective: two guide terms on layer ${term.layer}`);
      extraInputs.push(input);
    }
    values.push(value);
    seeds.push({ layer: term.layer, grad });
  }
  const value = values.reduce((acc, v) => ctx.add('Add', [acc, v]));
  return { value, seeds, extraInputs };
}
