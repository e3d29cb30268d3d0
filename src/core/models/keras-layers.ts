/**
 * The layer list of a Keras model converted up to its deepest offered layer: shapes at the
 * default input size, and which layers can be dreamed on (those with a tensor in the graph).
 */
import { absentLayers } from '../convert/keras/convert.js';
import { layerShapes } from '../convert/keras/shapes.js';
import { ancestorsOf, type KerasTopology } from '../convert/keras/topology.js';
import type { Model } from '../onnx/ir.js';
import type { LayerInfo } from './types.js';

const REFUSED_REASON =
  'it belongs to the part retrained for a content (NSFW) classifier, which is refused; only the frozen ImageNet layers are offered';

export function describeKerasLayers(topology: KerasTopology, model: Model, cutLayer: string): LayerInfo[] {
  const offered = new Set(ancestorsOf(topology, [cutLayer]).map((l) => l.name));
  const absent = absentLayers(model);
  const all = ancestorsOf(
    topology,
    topology.layers.map((l) => l.name),
  );
  const shapes = layerShapes(topology, all, topology.defaultInputSize);
  // Listed in the model file's order, which is how Keras users know them.
  return topology.layers.map((layer) => {
    const hwc = shapes.get(layer.name)!;
    const shape = hwc.length === 3 ? [hwc[2]!, hwc[0]!, hwc[1]!] : [...hwc];
    const info = { name: layer.name, shape, channels: shape[0]! };
    const reason = !offered.has(layer.name)
      ? REFUSED_REASON
      : layer === topology.inputLayer
        ? 'it is the (preprocessed) input image, not a learned feature'
        : absent.get(layer.name);
    return reason === undefined ? { ...info, dreamable: true } : { ...info, dreamable: false, reason };
  });
}

/** The smallest square input for which every layer up to `cutLayer` has a non-empty output. */
export function minKerasInputSize(topology: KerasTopology, cutLayer: string): number {
  const layers = ancestorsOf(topology, [cutLayer]);
  const limit = Math.max(...topology.defaultInputSize);
  // Surfaces size-independent errors (e.g. an unsupported layer) instead of searching past them.
  layerShapes(topology, layers, topology.defaultInputSize);
  for (let size = 1; size <= limit; size++) {
    try {
      layerShapes(topology, layers, [size, size]);
      return size;
    } catch {
      // Too small: some layer's output is empty.
    }
  }
  throw new Error(`Keras model: no input up to ${limit}x${limit} reaches ${cutLayer}`);
}
