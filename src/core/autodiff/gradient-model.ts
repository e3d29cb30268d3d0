/**
 * The input-gradient pass: from an inference model and an Objective, a model whose outputs are
 * the objective (float32 scalar) and d(objective)/d(image), written with standard ONNX ops so one
 * ONNX Runtime session computes both.
 */
import { isIntegerType } from '../onnx/data-types.js';
import type { Graph, Model, Node, ValueInfo } from '../onnx/ir.js';
import { DEFAULT_OPSET } from '../onnx/ir.js';
import { GradContext, type GradOptions } from './grad-context.js';
import { GRADIENT_OUTPUT, OBJECTIVE_OUTPUT, type Objective } from './objective.js';
import { mergePadIntoAveragePool } from './merge-pad-pool.js';
import { buildObjectiveGraph } from './objective-graph.js';
import { noGradientRule } from './rules/errors.js';
import { GRADIENT_RULES } from './rules/index.js';

export type { GradOptions } from './grad-context.js';

/** The nodes needed to compute `targets`, in their original (topological) order. */
function ancestorNodes(graph: Graph, targets: string[]): Node[] {
  const producer = new Map<string, Node>();
  graph.nodes.forEach((n) => n.outputs.forEach((o) => producer.set(o, n)));
  const needed = new Set<Node>();
  const stack = [...targets];
  while (stack.length > 0) {
    const node = producer.get(stack.pop()!);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    stack.push(...node.inputs.filter((i) => i !== ''));
  }
  return graph.nodes.filter((n) => needed.has(n));
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
  const needed = new Set(graph.outputs.map((o) => o.name));
  const kept = new Set<Node>();
  for (const node of [...graph.nodes].reverse()) {
    if (!node.outputs.some((o) => needed.has(o))) continue;
    kept.add(node);
    node.inputs.forEach((i) => needed.add(i));
  }
  graph.nodes = graph.nodes.filter((n) => kept.has(n));
  for (const name of [...graph.initializers.keys()]) if (!needed.has(name)) graph.initializers.delete(name);
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

export function buildGradientModel(model: Model, objective: Objective, opts: GradOptions = {}): Model {
  if (model.opsetVersion < 13)
    throw new Error(`autodiff: models need opset 13 or later, this one has ${model.opsetVersion}`);
  const image = imageInput(model.graph);
  const layers = new Set(objective.terms.map((t) => t.layer));
  const graph = prunedGraph(model.graph, image, [...layers]);
  mergePadIntoAveragePool(graph, layers);
  const forward = [...graph.nodes];
  const ctx = new GradContext(graph, dependents(graph, image.name), layers, opts);

  const objectiveGraph = buildObjectiveGraph(objective, ctx);
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

  objectiveGraph.seeds.forEach((s) => ctx.needsGrad(s.layer) && contribute(s.layer, s.grad));
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

  graph.inputs.push(...objectiveGraph.extraInputs);
  graph.outputs.push(exposeAs(ctx, objectiveGraph.value, OBJECTIVE_OUTPUT, []));
  graph.outputs.push(exposeAs(ctx, dImage, GRADIENT_OUTPUT, image.shape as number[]));
  dropUnusedNodes(graph);
  return {
    ...model,
    graph,
    opsetVersion: Math.max(model.opsetVersion, DEFAULT_OPSET),
    metadata: { ...model.metadata },
  };
}
