/**
 * The models and layers the studio offers. Layer lists come from loading the model once (the
 * bundled ones convert on first use, then load from the cache) and are kept for the server's life.
 */
import { PRESETS } from '../../core/dream/options.js';
import type { BlockInfo } from '../../core/models/types.js';

export interface ModelSummary {
  name: string;
  description: string;
  /** Whether the presets (looks) work with this model. */
  presets: boolean;
}

export interface LayerSummary {
  name: string;
  /** Output shape, CHW. */
  shape: number[];
  channels: number;
  /** The block the layer is listed under, for networks that name their modules. */
  block?: string;
}

export interface ModelLayers {
  model: string;
  /** A layer or block name. */
  defaultLayer: string;
  /** The layers that can be dreamed, shallow to deep. */
  layers: LayerSummary[];
  /** Names that stand for a layer: modules of the network, each for its output (see BlockInfo). */
  blocks?: BlockInfo[];
  /** Good layers or blocks to dream, shallow to deep. */
  recommendedLayers?: string[];
}

export interface ModelCatalog {
  list(): Promise<ModelSummary[]>;
  /** Undefined for a model the catalog does not know. */
  layers(model: string): Promise<ModelLayers | undefined>;
}

/** The looks apply to every model (see DreamPreset.depth). */
const hasPresets = Object.keys(PRESETS).length > 0;

/** Bundled models plus those installed with `deepdream models add`. */
export function installedModelCatalog(): ModelCatalog {
  const loaded = new Map<string, Promise<ModelLayers>>();
  const list = async (): Promise<ModelSummary[]> => {
    const { listBundledModels } = await import('../../node/models/index.js');
    const { listInstalled } = await import('../../node/models/installed.js');
    const bundled = listBundledModels().map((m) => ({
      name: m.name,
      description: m.description,
      presets: hasPresets,
    }));
    const installed = (await listInstalled()).map((r) => ({
      name: r.name,
      description: `installed from ${r.source}`,
      presets: hasPresets,
    }));
    return [...bundled, ...installed];
  };
  return {
    list,
    async layers(model) {
      if (!(await list()).some((m) => m.name === model)) return undefined;
      let layers = loaded.get(model);
      if (!layers) {
        layers = loadLayers(model);
        loaded.set(model, layers);
        // A failed load (a broken cache, say) is tried again on the next request.
        layers.catch(() => loaded.delete(model));
      }
      return layers;
    },
  };
}

async function loadLayers(name: string): Promise<ModelLayers> {
  const { loadModel } = await import('../../node/models/index.js');
  const model = await loadModel(name);
  const layers = model.layers.filter((l) => l.dreamable);
  const blocks = model.blocks?.filter((b) => layers.some((l) => l.name === b.output));
  return {
    model: model.name,
    defaultLayer: model.defaultLayer,
    layers: layers.map((l) => ({
      name: l.name,
      shape: [...l.shape],
      channels: l.channels,
      ...(l.block !== undefined && { block: l.block }),
    })),
    ...(blocks && { blocks }),
    ...(model.recommendedLayers && { recommendedLayers: model.recommendedLayers }),
  };
}
