/**
 * The models bundled through the nsfwjs package: Keras InceptionV3 and MobileNetV2 whose lower
 * layers are frozen ImageNet weights. Only that frozen part is ever converted; the layers above
 * were retrained for an NSFW classifier and are listed as refused.
 */
import { join } from 'node:path';
import { convertKeras, IMAGE_INPUT, KERAS_CONVERTER_VERSION } from '../../core/convert/keras/convert.js';
import { ancestorsOf, parseTopology, type KerasTopology } from '../../core/convert/keras/topology.js';
import { KerasWeights } from '../../core/convert/keras/weights.js';
import { decodeModel, encodeModel } from '../../core/onnx/codec.js';
import type { Model } from '../../core/onnx/ir.js';
import { memoizedContentKey, modelCacheDir, readCached, writeCachedAtomically } from './cache.js';
import { describeKerasLayers, minKerasInputSize } from '../../core/models/keras-layers.js';
import { decodeWeightBytes, nsfwjsPackageDir, readSourceFiles, readTfjsModel } from './nsfwjs-files.js';
import type { LoadedModel } from '../../core/models/types.js';
import { DEFAULT_MODEL, DEFAULT_PRESET, PRESETS } from '../../core/dream/options.js';

export interface BundledModelSpec {
  name: string;
  description: string;
  /** The deepest frozen layer: the graph ends here and nothing above it is offered. */
  cutLayer: string;
  defaultLayer: string;
}

/**
 * The presets are made for the default model: its default layer is the default preset's, so a
 * dream without layers, `deepdream models` and the library all name the same one.
 */
const DEFAULT_PRESET_LAYER = PRESETS[DEFAULT_PRESET]!.options.layers![0]!.name;

export const BUNDLED_MODELS: readonly BundledModelSpec[] = [
  {
    name: DEFAULT_MODEL,
    description: 'Keras InceptionV3 (ImageNet), layers up to mixed5; 299x299 default',
    cutLayer: 'mixed5',
    defaultLayer: DEFAULT_PRESET_LAYER,
  },
  {
    name: 'mobilenet_v2',
    description: 'Keras MobileNetV2 (ImageNet), layers up to block_10_project_BN; 224x224 default',
    cutLayer: 'block_10_project_BN',
    defaultLayer: 'block_6_expand_relu',
  },
];

export interface LoadModelOptions {
  /** Root of the nsfwjs package (default: $INCEPTIONISM_NSFWJS_DIR, else the installed one). */
  packageDir?: string;
  /** Converted-model cache (default: $INCEPTIONISM_CACHE_DIR, else the per-user cache). */
  cacheDir?: string;
}

export async function loadBundledModel(spec: BundledModelSpec, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const source = await readTfjsModel(nsfwjsPackageDir(options.packageDir), spec.name);
  const topology = parseTopology(source.modelTopology);
  assertFrozen(topology, spec);
  const cacheDir = modelCacheDir(options.cacheDir);
  let files: Promise<Buffer[]> | undefined;
  const readFiles = () => (files ??= readSourceFiles(source));
  const { key, remember } = await memoizedContentKey(
    join(cacheDir, `${spec.name}.sources.json`),
    [KERAS_CONVERTER_VERSION, spec.cutLayer],
    source.paths,
    readFiles,
  );
  const cachePath = join(cacheDir, `${spec.name}-${key}.onnx`);

  let model = await readCachedModel(cachePath, spec);
  if (!model) {
    const weights = new KerasWeights(
      source.weightSpecs,
      decodeWeightBytes(source, await readFiles()),
      `nsfwjs ${spec.name} weights`,
    );
    model = convertKeras(topology, weights, { lastLayer: spec.cutLayer, name: spec.name }).model;
    // The cache only saves time: a read-only or full disk must not stop the dream.
    await writeCachedAtomically(cachePath, encodeModel(model)).catch(() => undefined);
  }
  await remember();
  return {
    name: spec.name,
    model,
    inputName: IMAGE_INPUT,
    defaultInputSize: topology.defaultInputSize,
    minInputSize: minKerasInputSize(topology, spec.cutLayer),
    layers: describeKerasLayers(topology, model, spec.cutLayer),
    defaultLayer: spec.defaultLayer,
    noClassifierMessage: `model '${spec.name}' has no ImageNet classifier head (its top was retrained for a content classifier and is not bundled), so it cannot visualize classes; install a classifier with 'deepdream models add' (see 'deepdream models')`,
  };
}

/** A cached conversion, or undefined when absent or unusable (then it is converted again). */
async function readCachedModel(path: string, spec: BundledModelSpec): Promise<Model | undefined> {
  const bytes = await readCached(path);
  if (!bytes) return undefined;
  try {
    const model = decodeModel(bytes);
    const { inputs, outputs } = model.graph;
    return inputs[0]?.name === IMAGE_INPUT && outputs.length === 1 && outputs[0]!.name === spec.cutLayer
      ? model
      : undefined;
  } catch {
    return undefined;
  }
}

/** Guards against a changed package: everything converted must have been frozen in training. */
function assertFrozen(topology: KerasTopology, spec: BundledModelSpec): void {
  for (const layer of ancestorsOf(topology, [spec.cutLayer])) {
    if (layer !== topology.inputLayer && layer.config.value('trainable') !== false) {
      throw new Error(
        `nsfwjs ${spec.name}: layer ${layer.name} below ${spec.cutLayer} is trainable; the package changed and the model is refused`,
      );
    }
  }
}
