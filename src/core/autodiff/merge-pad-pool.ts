/**
 * Folds a zero Pad on spatial axes into the AveragePool that alone reads it (as PyTorch exports
 * avg_pool2d with count_include_pad): the pool then counts the padding itself, which is exact,
 * spares the padded copy, and gives the backward a single stride-1 AveragePool.
 */
import { type Graph, attrInt, attrInts, attrString, int, ints, tensorValues } from '../onnx/ir.js';
import { constantTensorOf } from './grad-context.js';

function constantNumbers(graph: Graph, value: string | undefined): number[] | undefined {
  const t = value ? constantTensorOf(graph, value) : undefined;
  return t ? tensorValues(t) : undefined;
}

/** Rewrites `graph` in place. */
export function mergePadIntoAveragePool(graph: Graph): void {
  const readers = new Map<string, number>();
  graph.nodes.forEach((n) => n.inputs.forEach((i) => readers.set(i, (readers.get(i) ?? 0) + 1)));
  const removed = new Set<string>();
  for (const pool of graph.nodes) {
    if (pool.opType !== 'AveragePool') continue;
    const padded = pool.inputs[0]!;
    const pad = graph.nodes.find((n) => n.opType === 'Pad' && n.outputs[0] === padded);
    if (!pad || readers.get(padded) !== 1) continue;
    const pads = constantNumbers(graph, pad.inputs[1]);
    const fill = pad.inputs[2] ? constantNumbers(graph, pad.inputs[2]) : [0];
    if (!pads || fill?.[0] !== 0 || (pad.inputs[3] ?? '') !== '' || attrString(pad, 'mode', 'constant') !== 'constant')
      continue;
    const rank = pads.length / 2;
    const spatial = rank - 2;
    const kernel = attrInts(pool, 'kernel_shape', []);
    const own = attrInts(pool, 'pads', Array<number>(2 * spatial).fill(0));
    const added = [...pads.slice(2, rank), ...pads.slice(rank + 2)];
    const merged = own.map((p, i) => p + added[i]!);
    const channelPads = [pads[0], pads[1], pads[rank], pads[rank + 1]].some((p) => p !== 0);
    const countsOwnPads = own.every((p) => p === 0) || attrInt(pool, 'count_include_pad', 0) === 1;
    const fits = added.every((p) => p >= 0) && merged.every((p, i) => p < kernel[i % spatial]!);
    const plain = attrString(pool, 'auto_pad', 'NOTSET') === 'NOTSET' && attrInt(pool, 'ceil_mode', 0) === 0;
    if (channelPads || !countsOwnPads || !fits || !plain) continue;
    pool.inputs[0] = pad.inputs[0]!;
    pool.attributes = { ...pool.attributes, pads: ints(merged), count_include_pad: int(1) };
    removed.add(pad.name);
  }
  if (removed.size === 0) return;
  graph.nodes = graph.nodes.filter((n) => !removed.has(n.name));
  // Drop the pads constants the removed Pads alone read.
  const read = new Set(graph.nodes.flatMap((n) => n.inputs));
  graph.nodes = graph.nodes.filter((n) => n.opType !== 'Constant' || read.has(n.outputs[0]!));
  for (const name of [...graph.initializers.keys()]) if (!read.has(name)) graph.initializers.delete(name);
}
