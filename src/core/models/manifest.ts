/**
 * A loaded model without its graph, as JSON: what a host that fetches the graph on its own (a
 * browser, from a studio server or a static site) needs to turn the graph's ONNX bytes back into
 * the LoadedModel the engine takes.
 */
import type { Model } from '../onnx/ir.js';
import type { LayerInfo, LoadedModel } from './types.js';

/** Everything of a LoadedModel but its graph. */
const DESCRIPTION = [
  'name',
  'inputName',
  'defaultInputSize',
  'minInputSize',
  'layers',
  'defaultLayer',
  'noClassifierMessage',
] as const satisfies readonly (keyof LoadedModel)[];

type ModelDescription = Pick<LoadedModel, (typeof DESCRIPTION)[number]>;

export interface ModelManifest extends ModelDescription {
  /** Where the graph's ONNX bytes are, relative to the manifest; named after their content, so it changes with them. */
  onnx: string;
  /** Size of the ONNX bytes (for download progress). */
  bytes: number;
}

function description(from: ModelDescription): ModelDescription {
  const picked = DESCRIPTION.filter((key) => from[key] !== undefined).map((key) => [key, from[key]]);
  return Object.fromEntries(picked) as ModelDescription;
}

export function modelManifest(model: LoadedModel, onnx: string, bytes: number): ModelManifest {
  return { ...description(model), onnx, bytes };
}

/** The manifest's model with its decoded graph. */
export function manifestModel(manifest: ModelManifest, graph: Model): LoadedModel {
  return { ...description(manifest), model: graph };
}

/** `json` as a manifest, or an error naming `source` when it is not one. */
export function parseManifest(json: unknown, source: string): ModelManifest {
  const m = json as Partial<ModelManifest> | null;
  const ok =
    typeof m === 'object' &&
    m !== null &&
    typeof m.name === 'string' &&
    typeof m.inputName === 'string' &&
    Array.isArray(m.defaultInputSize) &&
    m.defaultInputSize.length === 2 &&
    Number.isInteger(m.minInputSize) &&
    Array.isArray(m.layers) &&
    m.layers.every((l: Partial<LayerInfo>) => typeof l.name === 'string' && typeof l.dreamable === 'boolean') &&
    typeof m.defaultLayer === 'string' &&
    typeof m.onnx === 'string' &&
    Number.isInteger(m.bytes);
  if (!ok) throw new Error(`${source} is not a model manifest`);
  return m as ModelManifest;
}
