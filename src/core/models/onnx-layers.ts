/**
 * The layers of an imported network and, for each, whether it can be dreamed and if not why:
 * an op without a gradient rule below it, a node exported in training mode, a head that only
 * computes at one input size, or a shape that cannot be inferred. A dream compiles only the
 * layers' ancestors, so whatever stops one layer leaves the layers below it dreamable.
 */
import { trainingModeError } from '../autodiff/rules/errors.js';
import { GRADIENT_RULES } from '../autodiff/rules/index.js';
import type { Dim, Graph, Model, ValueInfo } from '../onnx/ir.js';
import { ancestorsGraph } from '../onnx/prune.js';
import { withInputShape, withInputShapeWhereKnown } from '../onnx/shapes.js';
import { LOGITS_METADATA } from './descriptor.js';
import type { BlockInfo, LayerInfo, LoadedModel } from './types.js';

/** For every value computed from `input`, why no gradient can flow back through it (if so). */
function gradientBlockers(graph: Graph, input: string): Map<string, string | undefined> {
  const blocked = new Map<string, string | undefined>([[input, undefined]]);
  for (const node of graph.nodes) {
    const onPath = node.inputs.filter((i) => blocked.has(i));
    if (onPath.length === 0) continue;
    const inherited = onPath.map((i) => blocked.get(i)).find((r) => r !== undefined);
    const own =
      trainingModeError(graph, node)?.message ??
      (GRADIENT_RULES.has(node.opType) ? undefined : `op ${node.opType} (node ${node.name}) has no gradient rule`);
    node.outputs.forEach((o) => blocked.set(o, inherited ?? own));
  }
  return blocked;
}

export interface LayerListing {
  /** The graph, its image input `input` (NCHW) and the size it was made for, [height, width]. */
  graph: Graph;
  input: string;
  size: [number, number];
  /** Values never listed (the importer's own preprocessing). */
  hidden: Set<string>;
  /** Lists only the values it accepts, when given. */
  keep?: (name: string) => boolean;
}

/**
 * The feature maps computed from the image, shallow to deep: 4-D float values larger than 1x1 at
 * the model's size (not masks or indices). Where shapes stop being known, the value that stopped them is listed with why,
 * not every value above it.
 */
export function listLayers({ graph, input, size, hidden, keep }: LayerListing): LayerInfo[] {
  const [height, width] = size;
  const atSize = withInputShapeWhereKnown(graph, input, [1, 3, height, width]);
  const atOther = withInputShapeWhereKnown(graph, input, [1, 3, 2 * height, 2 * width]);
  const blockers = gradientBlockers(graph, input);
  const sizeBound = (name: string): string | undefined => {
    const failure = atOther.unknown.get(name);
    return (
      failure && `it can only be computed at the ${width}x${height} input (at ${2 * width}x${2 * height}: ${failure})`
    );
  };
  const layers: LayerInfo[] = [];
  for (const node of graph.nodes) {
    for (const name of node.outputs) {
      if (name === '' || hidden.has(name) || !blockers.has(name) || (keep && !keep(name))) continue;
      const shape = atSize.graph.valueInfo.get(name)?.shape;
      if (!shape) {
        const failure = atSize.unknown.get(name);
        if (failure && !node.inputs.some((i) => atSize.unknown.has(i)))
          layers.push({ name, shape: [], channels: 0, dreamable: false, reason: blockers.get(name) ?? failure });
        continue;
      }
      const float = atSize.graph.valueInfo.get(name)?.dataType === 'float32';
      if (!float || shape.length !== 4 || (shape[2] === 1 && shape[3] === 1)) continue;
      const chw = shape.slice(1) as number[];
      const reason = blockers.get(name) ?? sizeBound(name);
      layers.push({ name, shape: chw, channels: chw[0]!, dreamable: reason === undefined, ...(reason && { reason }) });
    }
  }
  return layers;
}

/** The smallest square input for which `layer` still has a non-empty output (binary search). */
export function minimumInputSize(graph: Graph, input: string, layer: string, upper: number): number {
  const trunk = ancestorsGraph(graph, [layer]);
  const fits = (s: number): boolean => {
    try {
      const shape = withInputShape(trunk, input, [1, 3, s, s]).valueInfo.get(layer)?.shape;
      return !!shape && shape.every((d) => typeof d === 'number' && d > 0);
    } catch {
      return false;
    }
  };
  let lo = 1;
  let hi = upper;
  if (!fits(hi)) return upper;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Metadata key of a stored model's layers that cannot be dreamed, which its graph no longer computes. */
const UNDREAMABLE_METADATA = 'inceptionism.undreamable';

/** What dreamablePart dropped but a stored model still lists: layers that cannot be dreamed, their blocks. */
export interface DroppedLayers {
  layers: LayerInfo[];
  blocks: BlockInfo[];
}

/**
 * The part of an imported model worth keeping: what computes its dreamable layers and, where
 * a class can be visualized (the logits differentiate and compute at the model's size), its
 * logits. Layers above an op without a rule, a training-mode node or a size-bound head are
 * dropped with their weights; their names, blocks and reasons stay in the metadata (see
 * droppedLayers).
 */
export function dreamablePart(loaded: LoadedModel): Model {
  const { graph, metadata } = loaded.model;
  const [height, width] = loaded.defaultInputSize;
  const logits = metadata[LOGITS_METADATA];
  const atSize = withInputShapeWhereKnown(graph, loaded.inputName, [1, 3, height, width]);
  const classifies =
    logits !== undefined &&
    atSize.graph.valueInfo.has(logits) &&
    gradientBlockers(graph, loaded.inputName).get(logits) === undefined;
  const targets = [...loaded.layers.filter((l) => l.dreamable).map((l) => l.name), ...(classifies ? [logits] : [])];
  const part = ancestorsGraph(graph, targets);
  const read = new Set(part.nodes.flatMap((n) => n.inputs));
  // The values nothing else reads are the outputs; spatial sizes follow the input's.
  part.outputs = targets
    .filter((t) => !read.has(t))
    .map((name): ValueInfo => {
      const { dataType, shape } = atSize.graph.valueInfo.get(name)!;
      return { name, dataType, shape: shape.map((d, i): Dim => (i < 2 ? d : '')) };
    });
  const layers = loaded.layers.filter((l) => !l.dreamable);
  const names = new Set(layers.map((l) => l.name));
  const dropped: DroppedLayers = { layers, blocks: (loaded.blocks ?? []).filter((b) => names.has(b.output)) };
  return {
    ...loaded.model,
    graph: part,
    metadata: { ...metadata, ...(layers.length > 0 && { [UNDREAMABLE_METADATA]: JSON.stringify(dropped) }) },
  };
}

/** The layers and blocks dreamablePart dropped from a stored model. */
export function droppedLayers(model: Model): DroppedLayers {
  const stored = model.metadata[UNDREAMABLE_METADATA];
  return stored === undefined ? { layers: [], blocks: [] } : (JSON.parse(stored) as DroppedLayers);
}
