/** The dream-model registry: bundled models by name, and layer lookup with clear refusals. */
import { BUNDLED_MODELS, loadBundledModel, type LoadModelOptions } from './bundled.js';
import { findCatalogEntry } from './catalog.js';
import { isInstalled, loadInstalledModel } from './installed.js';
import type { LayerInfo, LoadedModel } from '../../core/models/types.js';

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

/** The layer `name`, if it can be dreamed on; otherwise an Error that says why or lists the options. */
export function findLayer(model: LoadedModel, name: string): LayerInfo {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    const valid = model.layers.filter((l) => l.dreamable).map((l) => l.name);
    throw new Error(`model ${model.name} has no layer '${name}'; ${layerHint(model.name, valid, name)}`);
  }
  if (!layer.dreamable)
    throw new Error(`layer '${name}' of ${model.name} cannot be dreamed: ${layer.reason ?? 'not offered'}`);
  return layer;
}

const MAX_LISTED_LAYERS = 12;

/** All dreamable layers when few, else the ones whose names resemble the one asked for. */
function layerHint(modelName: string, valid: string[], asked: string): string {
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
  const list = `\`deepdream layers --model ${modelName}\` lists all ${valid.length}`;
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
