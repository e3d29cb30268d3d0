/** Layer lookup on a loaded model, with refusals that say why or list the layers there are. */
import { nameForDepth } from './depth.js';
import type { BlockInfo, LayerInfo, LoadedModel } from './types.js';

/** What names a model offers: its layers and its blocks (see BlockInfo). */
export interface LayerNames {
  /** Shallow to deep; `dreamable` absent: dreamable. */
  layers: readonly { name: string; dreamable?: boolean; block?: string }[];
  blocks?: readonly BlockInfo[];
}

/**
 * The layer (tensor) a typed name stands for: a layer of that name, else a block of that name,
 * else the one block whose name ends in ".name" (a module inside a wrapper such as "model"), else
 * the layer at the relative depth it names (see depth.ts).
 */
export function layerTensorName(model: LayerNames, name: string): string | undefined {
  if (model.layers.some((l) => l.name === name)) return name;
  const blocks = model.blocks ?? [];
  const block = blocks.find((b) => b.name === name);
  if (block) return block.output;
  const nested = blocks.filter((b) => b.name.endsWith(`.${name}`));
  if (nested.length === 1) return nested[0]!.output;
  const atDepth = nameForDepth(model, name);
  return atDepth === undefined ? undefined : layerTensorName(model, atDepth);
}

/** The layer `name` stands for (see layerTensorName), dreamable or not. */
export function findLayerIfAny(model: Pick<LoadedModel, 'layers' | 'blocks'>, name: string): LayerInfo | undefined {
  const tensor = layerTensorName(model, name);
  return tensor === undefined ? undefined : model.layers.find((l) => l.name === tensor);
}

/**
 * The layer `name` stands for (a layer or block name), if it can be dreamed on; otherwise an
 * Error that says why or lists the options.
 */
export function findLayer(model: LoadedModel, name: string): LayerInfo {
  const layer = findLayerIfAny(model, name);
  if (!layer) {
    const dreamable = model.layers.filter((l) => l.dreamable).map((l) => l.name);
    const blocks = (model.blocks ?? []).filter((b) => dreamable.includes(b.output)).map((b) => b.name);
    throw new Error(`model ${model.name} has no layer '${name}'; ${layerHint(model.name, blocks, dreamable, name)}`);
  }
  if (!layer.dreamable)
    throw new Error(`layer '${name}' of ${model.name} cannot be dreamed: ${layer.reason ?? 'not offered'}`);
  return layer;
}

const MAX_LISTED_LAYERS = 12;

/** All dreamable layers when few, else the block and layer names that resemble the one asked for. */
function layerHint(modelName: string, blocks: string[], layers: string[], asked: string): string {
  const valid = [...blocks, ...layers];
  if (valid.length <= MAX_LISTED_LAYERS) return `dreamable layers: ${valid.join(', ')}`;
  const wanted = asked.toLowerCase();
  const close = valid
    .filter(
      (v) =>
        v.toLowerCase().includes(wanted) ||
        wanted.includes(v.toLowerCase()) ||
        editDistance(v.toLowerCase(), wanted) <= 2,
    )
    .slice(0, MAX_LISTED_LAYERS);
  const list = `\`deepdream layers --model ${modelName}\` lists all ${layers.length}`;
  return close.length > 0 ? `similar: ${close.join(', ')} (${list})` : list;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
