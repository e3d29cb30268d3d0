/**
 * The `--layer` values, read against the model's layer names: a value with a colon may be a
 * name with a weight or a name that holds colons (tf2onnx's "conv/Conv:0", PyTorch's
 * "onnx::Clip_203"), and only the model can tell. Its names are loaded for that case alone.
 */
import { InvalidArgumentError } from 'commander';
import type { DreamLayer } from '../../core/dream/options.js';
import { findLayerIfAny } from '../../core/models/layers.js';
import { OptionError } from '../../core/options/checks.js';
import { parseLayer } from './parse.js';

/** `backendModule`: a backend of its own knows its names, not the registry: values split as typed. */
export async function parseLayerFlags(values: string[], model: string, backendModule?: string): Promise<DreamLayer[]> {
  const isLayer =
    backendModule === undefined && values.some((v) => v.includes(':')) ? await layerNames(model) : undefined;
  return values.map((value) => {
    try {
      return parseLayer(value, isLayer);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw new OptionError('--layer', err.message);
      throw err;
    }
  });
}

async function layerNames(model: string): Promise<(name: string) => boolean> {
  const { loadModel } = await import('../../node/models/index.js');
  const loaded = await loadModel(model);
  return (name) => findLayerIfAny(loaded, name) !== undefined;
}
