/**
 * The reference for the Keras converter: the same topology and (still quantized) weight bytes
 * run by @tensorflow/tfjs itself on its pure-JS CPU backend. Dev/test only.
 */
import * as tf from '@tensorflow/tfjs';
import { ancestorsOf, parseTopology } from '../../../../src/core/convert/keras/topology.js';
import type { WeightSpec } from '../../../../src/core/convert/keras/weights.js';

export interface NhwcResult {
  /** [1, H, W, C] */
  shape: number[];
  data: Float32Array;
}

/**
 * Runs the Keras model on `pixels` (NHWC RGB 0..255, preprocessed here as Keras does: x/127.5 - 1)
 * and returns the outputs of `layers`. Only the layers those depend on are built.
 */
export async function runTfjsReference(
  modelTopology: unknown,
  weightSpecs: WeightSpec[],
  weightBytes: Uint8Array,
  layers: string[],
  pixels: Float32Array,
  height: number,
  width: number,
): Promise<NhwcResult[]> {
  await tf.setBackend('cpu');
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: withFreeInputSize(modelTopology, layers) as tf.io.ModelJSON['modelTopology'],
      weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: weightBytes.slice().buffer,
    }),
  };
  // Not strict: the weights of layers left out of the truncated topology are ignored.
  const model = await tf.loadLayersModel(handler, { strict: false });
  try {
    return tf.tidy(() => {
      const input = tf.tensor4d(pixels, [1, height, width, 3]).div(127.5).sub(1);
      const outputs = model.predict(input);
      return (Array.isArray(outputs) ? outputs : [outputs]).map((t) => ({
        shape: t.shape,
        data: t.dataSync() as Float32Array,
      }));
    });
  } finally {
    model.dispose();
  }
}

/** The topology cut down to `outputs` and what they depend on, with a free input height/width. */
function withFreeInputSize(modelTopology: unknown, outputs: string[]): unknown {
  const topology = structuredClone(modelTopology) as {
    model_config: { config: { layers: RawLayer[]; output_layers: unknown } };
  };
  const config = topology.model_config.config;
  const needed = new Set(ancestorsOf(parseTopology(modelTopology), outputs).map((l) => l.name));
  // Layers above the outputs (Flatten, Dense) could not be built for a free input size.
  config.layers = config.layers.filter((layer) => needed.has(layer.name));
  for (const layer of config.layers) {
    if (layer.class_name === 'InputLayer') layer.config.batch_input_shape = [null, null, null, 3];
  }
  config.output_layers = outputs.map((name) => [name, 0, 0]);
  return topology;
}

interface RawLayer {
  name: string;
  class_name: string;
  config: { batch_input_shape?: unknown[] };
}
