/**
 * Keras output shapes (per example, channels last: [height, width, channels], or [units] after
 * Flatten/Dense) for a given input size. Used for the layer list and the smallest usable input.
 */
import { windowOf, windowOutputSize, zeroPadding } from './spatial.js';
import type { KerasLayer, KerasTopology } from './topology.js';

export type KerasShape = number[];

type ShapeRule = (layer: KerasLayer, inputs: KerasShape[]) => KerasShape;

const sameAsInput: ShapeRule = (_layer, [input]) => input!;

const windowed =
  (channels: (layer: KerasLayer, inputChannels: number) => number): ShapeRule =>
  (layer, [input]) => {
    const [h, w, c] = spatialShape(layer, input!);
    return [...windowOutputSize(windowOf(layer), [h, w]), channels(layer, c)];
  };

const SHAPE_RULES: Record<string, ShapeRule> = {
  Conv2D: windowed((layer) => layer.config.number('filters')),
  DepthwiseConv2D: windowed((layer, c) => c * layer.config.number('depth_multiplier', 1)),
  MaxPooling2D: windowed((_layer, c) => c),
  AveragePooling2D: windowed((_layer, c) => c),
  BatchNormalization: sameAsInput,
  Activation: sameAsInput,
  ReLU: sameAsInput,
  Dropout: sameAsInput,
  Add: (layer, inputs) => {
    if (inputs.some((s) => s.join() !== inputs[0]!.join()))
      throw layer.config.error(`inputs have different shapes ${JSON.stringify(inputs)}`);
    return inputs[0]!;
  },
  Concatenate: (layer, inputs) => {
    const rank = inputs[0]!.length;
    const axis = concatAxis(layer, rank);
    const out = [...inputs[0]!];
    out[axis] = inputs.reduce((sum, s) => sum + s[axis]!, 0);
    return out;
  },
  ZeroPadding2D: (layer, [input]) => {
    const [t, b, l, r] = zeroPadding(layer);
    const [h, w, c] = spatialShape(layer, input!);
    return [h + t + b, w + l + r, c];
  },
  Flatten: (_layer, [input]) => [input!.reduce((a, b) => a * b, 1)],
  Dense: (layer, [input]) => [...input!.slice(0, -1), layer.config.number('units')],
};

/** Keras concat axis as an index into the per-example shape (batch axis excluded). */
export function concatAxis(layer: KerasLayer, rank: number): number {
  const axis = layer.config.number('axis', -1);
  const index = axis < 0 ? rank + axis : axis - 1;
  if (!Number.isInteger(axis) || index < 0 || index >= rank)
    throw layer.config.error(`axis ${axis} is not a feature axis`);
  return index;
}

function spatialShape(layer: KerasLayer, shape: KerasShape): [number, number, number] {
  if (shape.length !== 3) throw layer.config.error(`expects an image-shaped input, got ${JSON.stringify(shape)}`);
  return shape as [number, number, number];
}

/**
 * Shapes of `layers` (topologically ordered, inputs included) for an input of [height, width].
 * Throws when a layer's output would be empty (input too small) or its class has no rule.
 */
export function layerShapes(
  topology: KerasTopology,
  layers: KerasLayer[],
  inputSize: [number, number],
): Map<string, KerasShape> {
  const shapes = new Map<string, KerasShape>();
  for (const layer of layers) {
    let shape: KerasShape;
    if (layer === topology.inputLayer) {
      shape = [...inputSize, 3];
    } else {
      const rule = SHAPE_RULES[layer.className];
      if (!rule) throw new Error(`Keras layer ${layer.name} (${layer.className}): layer type is not supported`);
      shape = rule(
        layer,
        layer.inputs.map((name) => shapes.get(name)!),
      );
    }
    if (shape.some((d) => !(d >= 1))) {
      throw new Error(
        `input ${inputSize[0]}x${inputSize[1]} is too small: layer ${layer.name} would be ${JSON.stringify(shape)}`,
      );
    }
    shapes.set(layer.name, shape);
  }
  return shapes;
}
