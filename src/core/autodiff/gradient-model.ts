/**
 * The input-gradient pass: from an inference model and an Objective, a model whose outputs are
 * the objective (float32 scalar) and d(objective)/d(image), written with standard ONNX ops so one
 * ONNX Runtime session computes both.
 */
import { isIntegerType } from '../onnx/data-types.js';
import type { Graph, Model, ValueInfo } from '../onnx/ir.js';
import { DEFAULT_OPSET, floatTensor } from '../onnx/ir.js';
import { ancestorNodes } from '../onnx/prune.js';
import { GradContext, type GradOptions } from './grad-context.js';
import { GRADIENT_OUTPUT, OBJECTIVE_OUTPUT, type Objective } from './objective.js';
import { mergePadIntoAveragePool } from './merge-pad-pool.js';
import { type ChannelInput, buildObjectiveGraph, channelFeeds } from './objective-graph.js';
import { noGradientRule } from './rules/errors.js';
import { GRADIENT_RULES } from './rules/index.js';

export type { GradOptions } from './grad-context.js';
export type { ChannelInput } from './objective-graph.js';

/** A gradient model whose objective reads its channel lists from inputs (see channelFeeds). */
export interface GradientGraph {
  /** Inputs: the image, then guide features and channel weights. */
  model: Model;
  channelInputs: ChannelInput[];
}

/** Float values computed from `source` through the graph (integer ones, e.g. shapes, carry no gradient). */
function dependents(graph: Graph, source: string): Set<string> {
  const reached = new Set([source]);
  const isFloat = (v: string): boolean => {
    const type = graph.valueInfo.get(v)?.dataType ?? 'float32';
    return !isIntegerType(type) && type !== 'bool';
  };
  for (const n of graph.nodes) {
    if (n.inputs.some((i) => reached.has(i))) n.outputs.filter(isFloat).forEach((o) => reached.add(o));
  }
  return reached;
}

function imageInput(graph: Graph): ValueInfo {
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (inputs.length !== 1) {
    throw new Error(
      `autodiff: the model must have exactly one image input, it has ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`,
    );
  }
  const image = inputs[0]!;
  if (!image.shape.every((d) => typeof d === 'number')) {
    throw new Error(`autodiff: image input ${image.name} needs a static shape, got ${JSON.stringify(image.shape)}`);
  }
  return image;
}

/** A copy of the forward part of the graph that computes `layers` (nodes copied so rules may extend them). */
function prunedGraph(graph: Graph, image: ValueInfo, layers: string[]): Graph {
  const nodes = ancestorNodes(graph, layers).map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] }));
  const known = new Set([image.name, ...nodes.flatMap((n) => n.outputs)]);
  const missing = layers.find((l) => !known.has(l));
  if (missing !== undefined) throw new Error(`objective: layer ${missing} is not a tensor computed by the model`);
  const used = new Set(nodes.flatMap((n) => n.inputs));
  return {
    name: `${graph.name}_gradient`,
    nodes,
    inputs: [image],
    outputs: [],
    initializers: new Map([...graph.initializers].filter(([name]) => used.has(name))),
    // Shapes of the forward values, including former graph outputs, for the rules.
    valueInfo: new Map([
      ...graph.outputs.filter((o) => known.has(o.name)).map((o): [string, ValueInfo] => [o.name, o]),
      ...[...graph.valueInfo].filter(([name]) => known.has(name)),
    ]),
  };
}

/**
 * Removes nodes and initializers the outputs do not need: whole gradients that were replaced by
 * their channel slices.
 */
function dropUnusedNodes(graph: Graph): void {
  graph.nodes = ancestorNodes(
    graph,
    graph.outputs.map((o) => o.name),
  );
  const used = new Set(graph.nodes.flatMap((n) => n.inputs));
  for (const name of [...graph.initializers.keys()]) if (!used.has(name)) graph.initializers.delete(name);
}

/** Adds an Identity that exposes `value` under the exact graph output `name`. */
function exposeAs(ctx: GradContext, value: string, name: string, shape: number[]): ValueInfo {
  if (ctx.builder.fresh(name) !== name) throw new Error(`autodiff: the model already has a tensor named ${name}`);
  ctx.graph.nodes.push({
    opType: 'Identity',
    name: ctx.builder.fresh(`${name}_output`),
    inputs: [value],
    outputs: [name],
    attributes: {},
  });
  return { name, dataType: 'float32', shape };
}

/**
 * The gradient model of `objective`'s structure: its value (a forward computation on the layers)
 * and d(value)/d(image), by the gradient rules. Channel lists and guide features are inputs.
 */
export function buildGradientGraph(model: Model, objective: Objective, opts: GradOptions = {}): GradientGraph {
  if (model.opsetVersion < 13)
    throw new Error(`autodiff: models need opset 13 or later, this one has ${model.opsetVersion}`);
  const opsetVersion = Math.max(model.opsetVersion, DEFAULT_OPSET);
  const image = imageInput(model.graph);
  const layers = new Set(objective.terms.map((t) => t.layer));
  const graph = prunedGraph(model.graph, image, [...layers]);
  const objectiveGraph = buildObjectiveGraph(objective, graph, opsetVersion);
  mergePadIntoAveragePool(graph);
  const forward = [...graph.nodes];
  const ctx = new GradContext(graph, dependents(graph, image.name), layers, opts);

  const contributions = new Map<string, string[]>();
  const contribute = (value: string, grad: string): void => {
    const list = contributions.get(value);
    if (list) list.push(grad);
    else contributions.set(value, [grad]);
  };
  // Fan-out gradients are summed by a chain of two-input Adds, which ORT fuses into the producing Conv.
  const total = (value: string): string | undefined => {
    const grads = contributions.get(value);
    if (!grads || grads.length < 2) return grads?.[0];
    const sum = grads.reduce((acc, g) => ctx.add('Add', [acc, g]));
    // Sliceable if any part is: the others are cut by a Slice (layout conversions, as a Split would).
    if (grads.some((g) => ctx.hasChannelSlicer(g))) {
      ctx.setChannelSlicer(sum, (start, count) =>
        grads
          .map((g) => ctx.channelSlice(g, start, count) ?? ctx.sliceAxis(g, 1, start, count))
          .reduce((acc, g) => ctx.add('Add', [acc, g])),
      );
    }
    return sum;
  };

  contribute(objectiveGraph.value, ctx.scalar(1));
  for (const node of forward.reverse()) {
    const dOutputs = node.outputs.map(total);
    if (dOutputs.every((g) => g === undefined) || !node.inputs.some((i) => ctx.needsGrad(i))) continue;
    const rule = (node.domain ?? '') === '' || node.domain === 'ai.onnx' ? GRADIENT_RULES.get(node.opType) : undefined;
    if (!rule) throw noGradientRule(node);
    rule(node, dOutputs, ctx).forEach((g, i) => {
      const input = node.inputs[i];
      if (g !== undefined && input !== undefined && ctx.needsGrad(input)) contribute(input, g);
    });
  }
  const dImage = total(image.name);
  if (dImage === undefined) throw new Error(`autodiff: the objective does not depend on the image input ${image.name}`);

  graph.inputs.push(...objectiveGraph.inputs);
  graph.outputs.push(exposeAs(ctx, objectiveGraph.value, OBJECTIVE_OUTPUT, []));
  graph.outputs.push(exposeAs(ctx, dImage, GRADIENT_OUTPUT, image.shape as number[]));
  dropUnusedNodes(graph);
  return {
    model: { ...model, graph, opsetVersion, metadata: { ...model.metadata } },
    channelInputs: objectiveGraph.channelInputs,
  };
}

/** The gradient model of `objective` itself: its channel weights are constants, guide features stay inputs. */
export function buildGradientModel(model: Model, objective: Objective, opts: GradOptions = {}): Model {
  const { model: gradient, channelInputs } = buildGradientGraph(model, objective, opts);
  const { graph } = gradient;
  for (const [name, { dims, data }] of Object.entries(channelFeeds(channelInputs, objective))) {
    graph.inputs = graph.inputs.filter((i) => i.name !== name);
    graph.initializers.set(name, floatTensor(dims, data));
  }
  return gradient;
}
