/**
 * Dev-only check of scripts/torch_keras.py: runs the original nsfwjs tfjs layers model with
 * @tensorflow/tfjs (CPU backend) on a raw input and dumps the requested activations.
 *
 *   node --import tsx scripts/tfjs-activations.ts <model> <input.bin> <height> <width> <outDir> <layer>...
 *
 * input.bin: float32 little-endian NCHW [1, 3, height, width], RGB pixels 0..255.
 * Writes <outDir>/<layer>.bin (float32 NHWC, as Keras computes it) and prints the shapes as JSON.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min: number; scale: number };
}
interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, object][][];
}
interface NsfwjsModel {
  modelTopology: { model_config: { config: { layers: KerasLayer[]; output_layers: unknown; input_layers: unknown } } };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

const require = createRequire(import.meta.url);

function ancestors(layers: KerasLayer[], outputs: string[]): Set<string> {
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const needed = new Set<string>();
  const stack = [...outputs];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    const layer = byName.get(name);
    if (!layer) throw new Error(`unknown layer ${name}`);
    if (needed.has(name)) continue;
    needed.add(name);
    for (const node of layer.inbound_nodes[0] ?? []) stack.push(node[0]);
  }
  return needed;
}

/** The model cut at `outputs`, with an input of the given size, and only the weights it uses. */
async function loadTruncated(model: string, outputs: string[], height: number, width: number): Promise<tf.LayersModel> {
  const dir = fileURLToPath(new URL(`../node_modules/nsfwjs/dist/models/${model}/`, import.meta.url));
  const spec = require(`${dir}model.min.js`) as NsfwjsModel;
  const config = spec.modelTopology.model_config.config;
  const needed = ancestors(config.layers, outputs);
  config.layers = config.layers.filter((layer) => needed.has(layer.name));
  for (const layer of config.layers) {
    if (layer.class_name === 'InputLayer') layer.config.batch_input_shape = [null, height, width, 3];
  }
  config.output_layers = outputs.map((name) => [name, 0, 0]);

  const shards = spec.weightsManifest.flatMap((group) =>
    group.paths.map((path) => Buffer.from(require(`${dir}${path}.min.js`) as string, 'base64')),
  );
  const data = Buffer.concat(shards);
  const kept: WeightSpec[] = [];
  const keptBytes: Buffer[] = [];
  let offset = 0;
  for (const weight of spec.weightsManifest.flatMap((group) => group.weights)) {
    const bytes = weight.shape.reduce((a, b) => a * b, 1); // uint8-quantized: one byte per value
    if (needed.has(weight.name.split('/')[0] ?? '')) {
      kept.push(weight);
      keptBytes.push(data.subarray(offset, offset + bytes));
    }
    offset += bytes;
  }
  if (offset !== data.length) throw new Error(`manifest covers ${offset} bytes, shards hold ${data.length}`);
  const weightData = new Uint8Array(Buffer.concat(keptBytes)).buffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: spec.modelTopology,
      weightSpecs: kept as tf.io.WeightsManifestEntry[],
      weightData,
    }),
  );
}

async function main(): Promise<void> {
  const [model, inputPath, heightArg, widthArg, outDir, ...layers] = process.argv.slice(2);
  if (!model || !inputPath || !heightArg || !widthArg || !outDir || layers.length === 0) {
    throw new Error('usage: tfjs-activations.ts <model> <input.bin> <height> <width> <outDir> <layer>...');
  }
  const height = Number(heightArg);
  const width = Number(widthArg);
  const raw = readFileSync(inputPath);
  const pixels = new Float32Array(new Uint8Array(raw).buffer); // copy: Buffer views may be unaligned
  const net = await loadTruncated(model, layers, height, width);
  const input = tf.tidy(() => tf.tensor4d(pixels, [1, 3, height, width]).transpose([0, 2, 3, 1]).div(127.5).sub(1));
  const result = net.predict(input);
  const tensors = Array.isArray(result) ? result : [result];
  mkdirSync(outDir, { recursive: true });
  const shapes: Record<string, number[]> = {};
  for (const [i, layer] of layers.entries()) {
    const tensor = tensors[i];
    if (!tensor) throw new Error(`no output for ${layer}`);
    const values = await tensor.data<'float32'>();
    writeFileSync(join(outDir, `${layer}.bin`), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    shapes[layer] = tensor.shape;
  }
  console.log(JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version.tfjs, shapes }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
