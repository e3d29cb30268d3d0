/** The dream-model registry: bundled and installed models by name. */
import { BUNDLED_MODELS, loadBundledModel, type LoadModelOptions } from './bundled.js';
import { findCatalogEntry } from './catalog.js';
import { isInstalled, loadInstalledModel } from './installed.js';
import type { LoadedModel } from '../../core/models/types.js';

export type { LayerInfo, LoadedModel } from '../../core/models/types.js';
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
