/**
 * Blocks of an imported network: the modules its exporter named the nodes after. PyTorch names a
 * node "/inception4c/branch2/branch2.1/Relu": it lies in the modules inception4c,
 * inception4c.branch2 and inception4c.branch2.1 (each level written with its parent's name in
 * front), as `print(model)` calls them. A block stands for its last layer, so users can dream
 * `inception4c` or `layer3` instead of a tensor name; the layer list is grouped by the blocks of
 * one level, and the default layer is chosen among them.
 */
import type { Graph } from '../onnx/ir.js';
import type { BlockInfo, LayerInfo } from './types.js';

/** The qualified names of the modules a node lies in, outermost first. */
export function modulePath(nodeName: string): string[] {
  const parts = nodeName.split('/').filter((p) => p !== '');
  parts.pop();
  const path: string[] = [];
  let previous = '';
  for (const part of parts) {
    const own = previous !== '' && part.startsWith(`${previous}.`) ? part.slice(previous.length + 1) : part;
    path.push(path.length === 0 ? own : `${path.at(-1)!}.${own}`);
    previous = part;
  }
  return path;
}

interface Module {
  name: string;
  children: Module[];
  /** What its last node (in graph order) computes, when that is a listed layer. */
  output?: string;
}

export interface Blocks {
  /** Every module whose last node computes a listed layer, shallow to deep. */
  all: BlockInfo[];
  /** The level the layer list is grouped by (see groupingLevel). */
  listed: BlockInfo[];
  /** The listed block each layer lies in. */
  groupOf: Map<string, string>;
}

/** The modules of `graph` whose last node computes one of `layers`. */
export function findBlocks(graph: Graph, layers: readonly LayerInfo[]): Blocks {
  const listedLayers = new Set(layers.map((l) => l.name));
  const modules = new Map<string, Module>();
  const roots: Module[] = [];
  const layerModules = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const path = modulePath(node.name);
    path.forEach((name, depth) => {
      if (modules.has(name)) return;
      const module: Module = { name, children: [] };
      modules.set(name, module);
      (depth === 0 ? roots : modules.get(path[depth - 1]!)!.children).push(module);
    });
    const output = node.outputs.find((o) => listedLayers.has(o));
    if (output !== undefined) layerModules.set(output, path);
    for (const name of path) modules.get(name)!.output = output;
  }
  const block = (m: Module): BlockInfo => ({ name: m.name, output: m.output! });
  const order = (a: BlockInfo, b: BlockInfo): number => position(layers, a.output) - position(layers, b.output);
  const all = [...modules.values()].filter((m) => m.output !== undefined).map(block);
  const level = groupingLevel(roots).filter((m) => m.output !== undefined);
  const levelNames = new Set(level.map((m) => m.name));
  const groupOf = new Map<string, string>();
  for (const [layer, path] of layerModules) {
    const group = path.find((name) => levelNames.has(name));
    if (group !== undefined) groupOf.set(layer, group);
  }
  return { all: all.sort(order), listed: level.map(block).sort(order), groupOf };
}

const position = (layers: readonly LayerInfo[], name: string): number => layers.findIndex((l) => l.name === name);

/**
 * The modules the list is grouped by: the outermost ones, where a wrapper that holds everything
 * gives way to its children, and a numbered sequence (a Sequential's features.0, features.1, ...)
 * to its elements, which stay whole even when they are sequences themselves.
 */
function groupingLevel(roots: Module[]): Module[] {
  const elements = new Set<Module>();
  const numbered = (m: Module): boolean =>
    !elements.has(m) &&
    m.children.length > 0 &&
    m.children.every((c) => new RegExp(`^${escape(m.name)}\\.\\d+$`).test(c.name));
  let level = roots;
  for (;;) {
    const wrapper = level.length === 1 && level[0]!.children.length > 0;
    const next = level.flatMap((m) => {
      const sequence = numbered(m);
      if (!sequence && !wrapper) return [m];
      if (sequence) m.children.forEach((c) => elements.add(c));
      return m.children;
    });
    if (next.length === level.length && next.every((m, i) => m === level[i])) return level;
    level = next;
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type DepthLayer = Pick<LayerInfo, 'name' | 'dreamable'>;

/** The dreamable block whose output lies nearest `fraction` of the way up the dreamable layers. */
export function blockAt(
  blocks: readonly BlockInfo[],
  layers: readonly DepthLayer[],
  fraction: number,
): BlockInfo | undefined {
  const dreamable = layers.filter((l) => l.dreamable).map((l) => l.name);
  const height = (b: BlockInfo): number => (dreamable.indexOf(b.output) + 1) / dreamable.length;
  const candidates = blocks.filter((b) => dreamable.includes(b.output));
  return candidates.reduce<BlockInfo | undefined>(
    (best, b) => (best === undefined || Math.abs(height(b) - fraction) < Math.abs(height(best) - fraction) ? b : best),
    undefined,
  );
}

/**
 * A name users can type for the layer `fraction` of the way up: the block there (see blockAt),
 * else, in a network without blocks, the dreamable layer there. `layers` holds a dreamable one.
 */
export function nameAtDepth(blocks: readonly BlockInfo[], layers: readonly DepthLayer[], fraction: number): string {
  const dreamable = layers.filter((l) => l.dreamable);
  return (
    blockAt(blocks, layers, fraction)?.name ??
    dreamable[Math.min(dreamable.length - 1, Math.floor(dreamable.length * fraction))]!.name
  );
}
