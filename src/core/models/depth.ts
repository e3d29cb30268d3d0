/**
 * Layers named by relative depth: '@0.333' stands for the block (else the dreamable layer) a third
 * of the way up a network's dreamable layers, whatever the network. The looks are chosen before a
 * model is loaded, so on models other than the one they were picked for they name their layers
 * this way, and every layer lookup resolves the name once the model is known.
 */
import { nameAtDepth } from './blocks.js';
import type { LayerNames } from './layers.js';

/** Where an imported model's default layer lies: high enough for parts of objects, below the head. */
export const DEFAULT_LAYER_DEPTH = 2 / 3;

const DEPTH_NAME = /^@(\d*\.?\d+)$/;

/** The name of the layer `fraction` (0 < fraction <= 1) of the way up. */
export function depthLayerName(fraction: number): string {
  return `@${Number(fraction.toFixed(3))}`;
}

/**
 * The layer or block name a relative-depth `name` stands for in `model`; undefined when `name` is
 * no such name or the model has nothing dreamable.
 */
export function nameForDepth(model: LayerNames, name: string): string | undefined {
  const fraction = Number(DEPTH_NAME.exec(name)?.[1]);
  if (!(fraction > 0 && fraction <= 1)) return undefined;
  const layers = model.layers.map((l) => ({ name: l.name, dreamable: l.dreamable !== false }));
  if (!layers.some((l) => l.dreamable)) return undefined;
  // The blocks the list is grouped by, as the default layer is chosen among them.
  const groups = new Set(model.layers.map((l) => l.block));
  return nameAtDepth(
    (model.blocks ?? []).filter((b) => groups.has(b.name)),
    layers,
    fraction,
  );
}
