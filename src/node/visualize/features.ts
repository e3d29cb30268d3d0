/** Feature visualizations on this host: a model from the registry, its programs run by onnxruntime-node. */
import type { RgbImage } from '../../core/image/rgb.js';
import type { LoadedModel } from '../../core/models/types.js';
import type { SessionOptions } from '../../core/engine/runtime.js';
import { checkFeatureLayer } from '../../core/visualize/layer.js';
import type { FeatureObjective } from '../../core/visualize/objective.js';
import { definedOnly } from '../../core/options/checks.js';
import { createFeatureProgram, type FeatureProgram } from '../../core/visualize/program.js';
import {
  resolveVisualizeSettings,
  type VisualizeSettings,
  type VisualizeSettingsInput,
} from '../../core/visualize/settings.js';
import { visualize, type VisualizeControl } from '../../core/visualize/visualize.js';
import { loadModel } from '../models/index.js';
import type { OrtDevice } from '../runtime/device.js';
import { ortRuntime } from '../runtime/ort.js';

/** How this host runs a feature program: the session's options and where ONNX Runtime runs it (default cpu). */
export interface FeatureSessionOptions extends SessionOptions {
  device?: OrtDevice;
}

/**
 * The visualization of each objective, in order. Objectives of one layer (and reduction) share
 * one compiled program and run `settings.batch` at a time. Settings and objectives are checked
 * before any work: a one-line error for an unknown layer, a layer without a spatial map, a channel
 * out of range or a bad setting.
 */
export async function visualizeFeatures(
  model: string | LoadedModel,
  objectives: readonly FeatureObjective[],
  settings: VisualizeSettingsInput = {},
  control: VisualizeControl & FeatureSessionOptions = {},
): Promise<RgbImage[]> {
  const resolved = resolveVisualizeSettings(settings);
  const loaded = typeof model === 'string' ? await loadModel(model) : model;
  for (const o of objectives)
    checkFeatureLayer(
      loaded,
      o.layer,
      o.weights.map(([c]) => c),
      resolved.size,
    );
  const groups = new Map<string, number[]>();
  objectives.forEach((o, i) => {
    const key = JSON.stringify([o.layer, o.reduce]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const images: RgbImage[] = [];
  for (const indices of groups.values()) {
    const group = indices.map((i) => objectives[i]!);
    const program = await openFeatureProgram(loaded, group[0]!, resolved, group.length, control);
    try {
      const made = await visualize(group, program, resolved, control);
      indices.forEach((i, k) => (images[i] = made[k]!));
    } finally {
      await program.release();
    }
  }
  return images;
}

/** The program for objectives like `objective`, batching at most `count` images. */
export function openFeatureProgram(
  model: LoadedModel,
  objective: FeatureObjective,
  settings: VisualizeSettings,
  count: number,
  { threads, profileFile, device = 'cpu' }: FeatureSessionOptions = {},
): Promise<FeatureProgram> {
  const shape = {
    layer: objective.layer,
    reduce: objective.reduce,
    size: settings.size,
    batch: Math.max(1, Math.min(settings.batch, count)),
  };
  return createFeatureProgram(model, shape, ortRuntime(device), definedOnly({ threads, profileFile }));
}
