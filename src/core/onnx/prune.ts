/**
 * Graph surgery that keeps a model's structure valid: cutting a graph down to what some
 * outputs need (e.g. truncating a network at a layer) and restoring topological order.
 */
import type { Graph, Node, ValueInfo } from './ir.js';
import { inferShapes } from './shapes.js';

/** Map from value name to the node producing it. */
function producers(graph: Graph): Map<string, Node> {
  const byOutput = new Map<string, Node>();
  for (const node of graph.nodes) for (const o of node.outputs) if (o !== '') byOutput.set(o, node);
  return byOutput;
}

/**
 * The nodes needed to compute `targets` (value names) from the graph's inputs and initializers,
 * in graph order. The one walk from values to their ancestors: pruning, the gradient pass and the
 * importer's per-layer checks all cut graphs with it.
 */
export function ancestorNodes(graph: Graph, targets: Iterable<string>): Node[] {
  const byOutput = producers(graph);
  const kept = new Set<Node>();
  const pending = [...targets];
  while (pending.length > 0) {
    const node = byOutput.get(pending.pop()!);
    if (!node || kept.has(node)) continue;
    kept.add(node);
    pending.push(...node.inputs.filter((i) => i !== ''));
  }
  return graph.nodes.filter((n) => kept.has(n));
}

/**
 * A new graph of only what `targets` need: their ancestor nodes and the inputs, initializers and
 * value_info those read. It has no outputs yet. Tensors are shared, not copied.
 */
export function ancestorsGraph(graph: Graph, targets: string[]): Graph {
  const nodes = ancestorNodes(graph, targets);
  const needed = new Set([...targets, ...nodes.flatMap((n) => n.inputs)]);
  return {
    name: graph.name,
    nodes,
    inputs: graph.inputs.filter((i) => needed.has(i.name)),
    outputs: [],
    initializers: new Map([...graph.initializers].filter(([name]) => needed.has(name))),
    valueInfo: new Map([...graph.valueInfo].filter(([name]) => needed.has(name))),
  };
}

/**
 * A new graph holding only the nodes, initializers and inputs needed to compute `outputNames`,
 * which may be intermediate values; they become the graph outputs. Tensors are shared, not copied.
 */
export function pruneGraph(graph: Graph, outputNames: string[]): Graph {
  if (outputNames.length === 0) throw new Error('pruneGraph: no outputs requested');
  const byOutput = producers(graph);
  const inputNames = new Set(graph.inputs.map((i) => i.name));
  for (const name of outputNames) {
    if (!byOutput.has(name) && !inputNames.has(name) && !graph.initializers.has(name)) {
      throw new Error(`pruneGraph: graph has no value ${name}`);
    }
  }
  const pruned = ancestorsGraph(graph, outputNames);
  pruned.outputs = outputNames.map((name) => outputInfo(graph, pruned, name));
  return pruned;
}

/** Type and shape for a new graph output: declared, annotated, or (last resort) inferred. */
function outputInfo(original: Graph, pruned: Graph, name: string): ValueInfo {
  const declared =
    original.outputs.find((o) => o.name === name) ??
    pruned.valueInfo.get(name) ??
    pruned.inputs.find((i) => i.name === name);
  if (declared) return { ...declared, shape: [...declared.shape] };
  const init = pruned.initializers.get(name);
  if (init) return { name, dataType: init.dataType, shape: [...init.dims] };
  try {
    inferShapes(pruned);
  } catch (err) {
    throw new Error(
      `pruneGraph: type and shape of output ${name} are unknown and could not be inferred: ${(err as Error).message}`,
    );
  }
  const inferred = pruned.valueInfo.get(name)!;
  return { ...inferred, shape: [...inferred.shape] };
}

/**
 * Reorders graph.nodes in place so every node comes after the producers of its inputs.
 * An already sorted graph keeps its order. Throws on cycles and on inputs nothing provides.
 */
export function topologicalSort(graph: Graph): void {
  const byOutput = producers(graph);
  const provided = new Set([...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);
  const state = new Map<Node, 'visiting' | 'done'>();
  const order: Node[] = [];
  for (const root of graph.nodes) {
    if (state.has(root)) continue;
    // Iterative depth-first post-order: deep graphs would overflow the call stack.
    const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const input = top.node.inputs[top.next++];
      if (input === undefined) {
        stack.pop();
        state.set(top.node, 'done');
        order.push(top.node);
        continue;
      }
      if (input === '' || provided.has(input)) continue;
      const producer = byOutput.get(input);
      if (!producer) throw new Error(`topologicalSort: node ${top.node.name} reads ${input}, which nothing produces`);
      const s = state.get(producer);
      if (s === 'visiting') throw new Error(`topologicalSort: cycle through node ${producer.name}`);
      if (s === undefined) {
        state.set(producer, 'visiting');
        stack.push({ node: producer, next: 0 });
      }
    }
  }
  graph.nodes = order;
}
