/** Small hand-written Keras topologies with random weights, in tfjs-layers format. */
import type { WeightSpec } from '../../../../src/core/convert/keras/weights.js';

export interface SyntheticLayer {
  name: string;
  className: string;
  config?: Record<string, unknown>;
  inputs?: string[];
  /** Weight name suffix -> shape, in the order tfjs stores them. */
  weights?: [string, number[]][];
}

export interface SyntheticModel {
  modelTopology: unknown;
  weightSpecs: WeightSpec[];
  weightBytes: Uint8Array;
}

/** A functional model: `input` (an InputLayer, default 16x16) followed by `layers`. */
export function syntheticModel(layers: SyntheticLayer[], seed = 1, uint16Weights: string[] = []): SyntheticModel {
  const rawLayers = [
    {
      name: 'input',
      class_name: 'InputLayer',
      config: { name: 'input', batch_input_shape: [null, 16, 16, 3], dtype: 'float32' },
      inbound_nodes: [],
    },
    ...layers.map((l) => ({
      name: l.name,
      class_name: l.className,
      config: { name: l.name, trainable: false, ...l.config },
      inbound_nodes: [(l.inputs ?? []).map((i) => [i, 0, 0, {}])],
    })),
  ];
  const modelTopology = {
    model_config: {
      class_name: 'Model',
      config: {
        name: 'synthetic',
        layers: rawLayers,
        input_layers: [['input', 0, 0]],
        output_layers: [[layers.at(-1)!.name, 0, 0]],
      },
    },
  };
  const random = uniform(seed);
  const weightSpecs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const layer of layers) {
    for (const [suffix, shape] of layer.weights ?? []) {
      const name = `${layer.name}/${suffix}`;
      const count = shape.reduce((a, b) => a * b, 1);
      // Variances must stay positive; everything else is centred.
      const values = Float32Array.from({ length: count }, () =>
        suffix === 'moving_variance' ? 0.5 + random() : random() - 0.5,
      );
      if (uint16Weights.includes(name)) {
        const q = Uint16Array.from(values, (v) => Math.round((v + 0.5) * 1000));
        weightSpecs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'uint16', min: -0.5, scale: 0.001 } });
        chunks.push(new Uint8Array(q.buffer));
      } else {
        weightSpecs.push({ name, shape, dtype: 'float32' });
        chunks.push(new Uint8Array(values.buffer));
      }
    }
  }
  return { modelTopology, weightSpecs, weightBytes: Buffer.concat(chunks) };
}

function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** BatchNormalization weights for `channels` (gamma only when scaled, beta only when centred). */
export function bnWeights(channels: number, scale = true, center = true): [string, number[]][] {
  return [
    ...(scale ? [['gamma', [channels]] as [string, number[]]] : []),
    ...(center ? [['beta', [channels]] as [string, number[]]] : []),
    ['moving_mean', [channels]],
    ['moving_variance', [channels]],
  ];
}
