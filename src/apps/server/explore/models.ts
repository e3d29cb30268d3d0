/**
 * The networks the explore page looks into: the studio's catalog says which exist; each is
 * loaded once, on first use, and kept for the server's life.
 */
import { checkChannels } from '../../../core/autodiff/objective.js';
import type { LayerInfo, LoadedModel } from '../../../core/models/types.js';
import { keyLayers, LAYER_LOOKS, layerLook, type LayerLook } from '../../../core/visualize/layer.js';
import { loadModel } from '../../../node/models/index.js';
import type { ModelCatalog } from '../catalog.js';
import { HttpError } from '../errors.js';

export interface ExploreLayer {
  name: string;
  /** C x H x W at the model's default input size. */
  shape: number[];
  channels: number;
  /** What its features look like, by the layer's depth (see LAYER_BANDS). */
  look: LayerLook;
  /** One of the layers that stand for the network's stages (see keyLayers). */
  key: boolean;
}

/** How the plain words are chosen, for the page to say. */
export const LAYER_BANDS = `by relative depth: the layers with a spatial map, low to high, in four equal quarters (${LAYER_LOOKS.join(', ')})`;

export class ExploreModels {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly catalog: ModelCatalog) {}

  /** The loaded model; 404 for one the catalog does not list. */
  async get(name: string): Promise<LoadedModel> {
    let model = this.loaded.get(name);
    if (!model) {
      if (!(await this.catalog.list()).some((m) => m.name === name))
        throw new HttpError(404, `unknown model '${name}'`);
      model = loadModel(name);
      this.loaded.set(name, model);
      // A failed load (a broken cache, say) is tried again on the next request.
      model.catch(() => this.loaded.delete(name));
    }
    return model;
  }

  /** The layers that can be explored (a spatial map, dreamable), low to high. */
  async layers(name: string): Promise<ExploreLayer[]> {
    const model = await this.get(name);
    const keys = new Set(keyLayers(model));
    return spatialLayers(model).map((l) => ({
      name: l.name,
      shape: [...l.shape],
      channels: l.channels,
      look: layerLook(model, l.name),
      key: keys.has(l.name),
    }));
  }
}

/** The layer with a spatial map; 404 for one the model lacks. */
export function exploreLayer(model: LoadedModel, name: string): LayerInfo {
  const layer = spatialLayers(model).find((l) => l.name === name);
  if (!layer) throw new HttpError(404, `model ${model.name} has no layer '${name}' to explore`);
  return layer;
}

/** 404 for a channel the layer lacks, in the library's words. */
export function checkChannel(layer: LayerInfo, channel: number): void {
  try {
    checkChannels(layer.name, layer.channels, [channel]);
  } catch (err) {
    throw new HttpError(404, (err as Error).message);
  }
}

const spatialLayers = (model: LoadedModel): LayerInfo[] =>
  model.layers.filter((l) => l.dreamable && l.shape.length === 3);
