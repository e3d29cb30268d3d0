/**
 * A model descriptor: what an imported network needs besides its weights — how it wants its
 * pixels (channel order, value range, mean and std), its input layout and size, good layers to
 * dream, and for classifiers the logits layer and class labels. Parsed from JSON text (a small
 * file the host reads), from CLI flags, or from a catalog entry; stored in the converted model's
 * metadata.
 */
import type { Objective } from '../autodiff/objective.js';
import { must, OptionError } from '../options/checks.js';
import type { LoadedModel } from './types.js';

export interface Preprocessing {
  /** Channel order the network was trained on. */
  channelOrder: 'RGB' | 'BGR';
  /** The values pixel 0 and pixel 255 map to before mean and std (e.g. [0, 1] or [0, 255]). */
  range: [number, number];
  /** Per channel, in the network's channel order, in `range` units. */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface ModelDescriptor {
  preprocessing: Preprocessing;
  /** Input tensor name; detected when the model has a single image input. */
  input?: string;
  /** Detected from the input shape (which axis has 3 channels) when absent. */
  layout?: 'NCHW' | 'NHWC';
  /** [height, width] the network was trained at; detected from a static input shape. */
  inputSize?: [number, number];
  defaultLayer?: string;
  recommendedLayers?: string[];
  /** Classifier output before any softmax; detected (the input of a final Softmax) when absent. */
  logits?: string;
  /** Class names in output order, or the id of a label set shipped with the catalog. */
  labels?: string[] | string;
}

export const IDENTITY_PREPROCESSING: Preprocessing = {
  channelOrder: 'RGB',
  range: [0, 255],
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

/** Preprocessing of Caffe ImageNet models: BGR 0..255 minus the ImageNet mean. */
export const CAFFE_IMAGENET_PREPROCESSING: Preprocessing = {
  channelOrder: 'BGR',
  range: [0, 255],
  mean: [104, 117, 123],
  std: [1, 1, 1],
};

/** torchvision-style ImageNet preprocessing: RGB 0..1, normalized per channel. */
export const TORCH_IMAGENET_PREPROCESSING: Preprocessing = {
  channelOrder: 'RGB',
  range: [0, 1],
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

const fail = (where: string, message: string): never => {
  throw new Error(`${where}: ${message}`);
};

function numberList(value: unknown, length: number, where: string, field: string): number[] {
  if (
    !Array.isArray(value) ||
    value.length !== length ||
    !value.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    return fail(where, `'${field}' should be a list of ${length} numbers`);
  }
  return value as number[];
}

function parsePreprocessing(value: unknown, where: string): Preprocessing {
  if (value === undefined) return IDENTITY_PREPROCESSING;
  if (typeof value !== 'object' || value === null) return fail(where, "'preprocessing' should be an object");
  const p = value as Record<string, unknown>;
  const order = p['channelOrder'] ?? 'RGB';
  if (order !== 'RGB' && order !== 'BGR') return fail(where, '\'channelOrder\' should be "RGB" or "BGR"');
  const range = p['range'] === undefined ? [0, 255] : numberList(p['range'], 2, where, 'range');
  const mean = p['mean'] === undefined ? [0, 0, 0] : numberList(p['mean'], 3, where, 'mean');
  const std = p['std'] === undefined ? [1, 1, 1] : numberList(p['std'], 3, where, 'std');
  if (std.some((s) => s === 0)) fail(where, "'std' values must not be 0");
  if (range[0] === range[1]) fail(where, "'range' must not be empty");
  return {
    channelOrder: order,
    range: range as [number, number],
    mean: mean as Preprocessing['mean'],
    std: std as Preprocessing['std'],
  };
}

const optionalString = (v: unknown, where: string, field: string): string | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v : fail(where, `'${field}' should be a string`);

/** Validates a descriptor object (from JSON); `where` names its source in error messages. */
export function parseDescriptor(value: unknown, where = 'model descriptor'): ModelDescriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(where, 'should be a JSON object');
  const d = value as Record<string, unknown>;
  const known = new Set([
    'preprocessing',
    'input',
    'layout',
    'inputSize',
    'defaultLayer',
    'recommendedLayers',
    'logits',
    'labels',
  ]);
  const unknown = Object.keys(d).find((k) => !known.has(k));
  if (unknown) fail(where, `unknown field '${unknown}' (known: ${[...known].join(', ')})`);
  const layout = d['layout'];
  if (layout !== undefined && layout !== 'NCHW' && layout !== 'NHWC')
    fail(where, '\'layout\' should be "NCHW" or "NHWC"');
  const descriptor: ModelDescriptor = { preprocessing: parsePreprocessing(d['preprocessing'], where) };
  const input = optionalString(d['input'], where, 'input');
  if (input) descriptor.input = input;
  if (layout) descriptor.layout = layout as 'NCHW' | 'NHWC';
  if (d['inputSize'] !== undefined) {
    const size = numberList(d['inputSize'], 2, where, 'inputSize');
    if (!size.every((s) => Number.isInteger(s) && s > 0)) fail(where, "'inputSize' should be two positive integers");
    descriptor.inputSize = size as [number, number];
  }
  const defaultLayer = optionalString(d['defaultLayer'], where, 'defaultLayer');
  if (defaultLayer) descriptor.defaultLayer = defaultLayer;
  if (d['recommendedLayers'] !== undefined) {
    const layers = d['recommendedLayers'];
    if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string'))
      fail(where, "'recommendedLayers' should be a list of strings");
    descriptor.recommendedLayers = layers as string[];
  }
  const logits = optionalString(d['logits'], where, 'logits');
  if (logits) descriptor.logits = logits;
  const labels = d['labels'];
  if (labels !== undefined) {
    if (typeof labels !== 'string' && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) {
      fail(where, "'labels' should be a label set id or a list of class names");
    }
    descriptor.labels = labels as string[] | string;
  }
  return descriptor;
}

/** Parses a descriptor's JSON text; `where` names its source in error messages. */
export function parseDescriptorJson(text: string, where: string): ModelDescriptor {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  return parseDescriptor(json, where);
}

// ---------------------------------------------------------------- class labels

/** The class names of a label set the host ships (e.g. 'imagenet1000'); throws for an unknown id. */
export type LabelSetReader = (id: string) => string[];

/**
 * Class names of a descriptor's classifier: an inline list, or a label set read through
 * `readLabelSet` (the host's; without one, only inline lists work).
 */
export function resolveLabels(
  labels: string[] | string | undefined,
  readLabelSet?: LabelSetReader,
): string[] | undefined {
  if (labels === undefined || Array.isArray(labels)) return labels;
  if (!readLabelSet) throw new Error(`label set '${labels}' cannot be read here; list the class names instead`);
  return readLabelSet(labels);
}

/** A label list file's text: one class name a line, in output order. */
export const parseLabelList = (text: string): string[] => text.split('\n').filter((l) => l !== '');

const normalizeLabel = (label: string): string =>
  label
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();

/**
 * The index of a class given by name (case, spaces, '_' and '-' ignored) or by number.
 * Errors say which names are close when nothing matches, and which indices share a name.
 */
export function classIndex(labels: string[], query: string): number {
  const trimmed = query.trim();
  if (/^\d+$/.test(trimmed)) {
    const index = Number(trimmed);
    if (index >= labels.length)
      throw new Error(
        `class ${index} does not exist: the classifier has ${labels.length} classes (0..${labels.length - 1})`,
      );
    return index;
  }
  const wanted = normalizeLabel(trimmed);
  const matches = labels.flatMap((l, i) => (normalizeLabel(l) === wanted ? [i] : []));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new Error(`class '${query}' is ambiguous (classes ${matches.join(', ')}); pass the class number instead`);
  }
  const close = labels.filter((l) => normalizeLabel(l).includes(wanted)).slice(0, 5);
  const hint =
    close.length > 0
      ? `; similar: ${close.join(', ')}`
      : "; pass a class name from the model's labels or a class number";
  throw new Error(`no class named '${query}'${hint}`);
}

/** Metadata keys under which an imported model keeps its classifier description. */
export const LOGITS_METADATA = 'inceptionism.logits';
export const LABELS_METADATA = 'inceptionism.labels';

/**
 * Class visualization objective: the mean of one logit, to be maximized from noise.
 * Needs a model imported with a classifier (logits layer and labels in its metadata).
 */
export function classObjective(model: LoadedModel, label: string): Objective {
  const logits = model.model.metadata[LOGITS_METADATA];
  if (!logits) throw new OptionError('class', `cannot be used with model '${model.name}': it has no classifier head`);
  const labelsJson = model.model.metadata[LABELS_METADATA];
  const labels = labelsJson ? (JSON.parse(labelsJson) as string[]) : undefined;
  const index = labels ? classIndex(labels, label) : /^\d+$/.test(label.trim()) ? Number(label.trim()) : undefined;
  if (index === undefined) {
    throw new OptionError('class', must(`be a class number: model '${model.name}' ships no class names`, label));
  }
  return { terms: [{ kind: 'layer', layer: logits, weight: 1, reduce: 'mean', channels: [index] }] };
}
