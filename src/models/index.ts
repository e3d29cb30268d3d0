/** The dream-model registry: bundled models by name, and layer lookup with clear refusals. */
import { BUNDLED_MODELS, loadBundledModel, type LoadModelOptions } from './bundled.js';
import { findCatalogEntry } from './catalog.js';
import { isInstalled, loadInstalledModel } from './installed.js';
import type { LayerInfo, LoadedModel } from './types.js';

export type { LayerInfo, LoadedModel } from './types.js';
export type { LoadModelOptions } from './bundled.js';

export interface BundledModelInfo {
  name: string;
  description: string;
  defaultLayer: string;
  /** The deepest layer offered for dreaming. */
  deepestLayer: string;
}

export function listBundledModels(): BundledModelInfo[] {
  return BUNDLED_MODELS.map(({ name, description, defaultLayer, cutLayer }) => ({
    name,
    description,
    defaultLayer,
    deepestLayer: cutLayer,
  }));
}

export type BundledModelName = 'inception_v3' | 'mobilenet_v2';

/**
 * Loads a bundled model (converting it on first use, then from the per-user cache) or a model
 * installed with `deepdream models add`.
 */
export async function loadModel(name: BundledModelName | string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const spec = BUNDLED_MODELS.find((m) => m.name === name);
  if (spec) return loadBundledModel(spec, options);
  if (await isInstalled(name)) return loadInstalledModel(name);
  if (findCatalogEntry(name)) {
    throw new Error(`model '${name}' is not installed yet; install it with: deepdream models add ${name}`);
  }
  throw new Error(
    `unknown model '${name}'; bundled models: ${BUNDLED_MODELS.map((m) => m.name).join(', ')}; \`deepdream models\` lists installed and downloadable ones`,
  );
}

/** The layer `name`, if it can be dreamed on; otherwise an Error that says why or lists the options. */
export function findLayer(model: LoadedModel, name: string): LayerInfo {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    const valid = model.layers.filter((l) => l.dreamable).map((l) => l.name);
    throw new Error(`model ${model.name} has no layer '${name}'; dreamable layers: ${valid.join(', ')}`);
  }
  if (!layer.dreamable)
    throw new Error(`layer '${name}' of ${model.name} cannot be dreamed: ${layer.reason ?? 'not offered'}`);
  return layer;
}
