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
