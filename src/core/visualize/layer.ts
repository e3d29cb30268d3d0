/** Which layers and channels can be visualized: refusals made before any work starts. */
import { checkChannels } from '../autodiff/objective.js';
import { findLayer } from '../models/layers.js';
import { must, OptionError } from '../options/checks.js';
import type { LayerInfo, LoadedModel } from '../models/types.js';

/**
 * The layer `name` of `model` with each of `channels`, at images of `size` pixels: a dreamable
 * layer with a spatial map (C x H x W), channels in range, a size the network takes. Throws a
 * one-line error otherwise.
 */
export function checkFeatureLayer(
  model: LoadedModel,
  name: string,
  channels: readonly number[],
  size: number,
): LayerInfo {
  const layer = findLayer(model, name);
  if (layer.shape.length !== 3)
    throw new Error(
      `layer '${name}' of ${model.name} has no spatial map (shape ${layer.shape.join('x')}): only layers of C x H x W feature maps can be visualized`,
    );
  checkChannels(name, layer.channels, channels);
  if (size < model.minInputSize)
    throw new OptionError('size', must(`be at least ${model.minInputSize} pixels for ${model.name}`, size));
  return layer;
}

/** What the features of a layer look like, in plain words, from low layers to high ones. */
export const LAYER_LOOKS = ['strokes', 'textures', 'patterns', 'parts'] as const;

export type LayerLook = (typeof LAYER_LOOKS)[number];

/** The look of `name`'s features, by its depth among the model's layers that can be visualized. */
export function layerLook(model: LoadedModel, name: string): LayerLook {
  const layers = model.layers.filter((l) => l.dreamable && l.shape.length === 3).map((l) => l.name);
  const depth = Math.max(0, layers.indexOf(name)) / Math.max(1, layers.length - 1);
  return LAYER_LOOKS[Math.min(LAYER_LOOKS.length - 1, Math.floor(depth * LAYER_LOOKS.length))]!;
}

/** Most layers keyLayers names: a strip of dreams stays one row on a wide screen. */
export const MAX_KEY_LAYERS = 8;

/**
 * The layers that stand for a network's stages, low to high, at most MAX_KEY_LAYERS spread over
 * the depth, all with a spatial map: the model's recommended layers where it names them, else its
 * modules' outputs, else the tensors where branches join (Concat, Add: Inception's mixed layers,
 * a residual block's sum), else all.
 */
export function keyLayers(model: LoadedModel): string[] {
  const spatial = model.layers.filter((l) => l.dreamable && l.shape.length === 3).map((l) => l.name);
  const blockOutput = new Map((model.blocks ?? []).map((b) => [b.name, b.output]));
  const recommended = (model.recommendedLayers ?? []).map((name) => blockOutput.get(name) ?? name);
  const joins = new Set(
    model.model.graph.nodes.filter((n) => n.opType === 'Concat' || n.opType === 'Add').flatMap((n) => n.outputs),
  );
  const choices = [recommended, [...blockOutput.values()], spatial.filter((name) => joins.has(name)), spatial];
  const chosen = choices.map((names) => spatial.filter((name) => names.includes(name))).find((l) => l.length > 0) ?? [];
  if (chosen.length <= MAX_KEY_LAYERS) return chosen;
  // Evenly spread, up to the highest.
  return Array.from(
    { length: MAX_KEY_LAYERS },
    (_, i) => chosen[Math.round(((i + 1) * (chosen.length - 1)) / MAX_KEY_LAYERS)]!,
  );
}
