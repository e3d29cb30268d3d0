/** Runs gradient models in ONNX Runtime and compares gradients, for the autodiff tests. */
import { buildGradientModel, type GradOptions } from '../../../src/core/autodiff/gradient-model.js';
import { GRADIENT_OUTPUT, OBJECTIVE_OUTPUT, type Objective } from '../../../src/core/autodiff/objective.js';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import type { Model } from '../../../src/core/onnx/ir.js';
import { withInputShape } from '../../../src/core/onnx/shapes.js';
import { createOrtSession, fetchFloat32, float32Feed } from '../../../src/node/runtime/ort.js';

export interface GradientRun {
  (
    image: Float32Array,
    extra?: Record<string, { dims: number[]; data: Float32Array }>,
  ): Promise<{ objective: number; gradient: Float32Array }>;
}

/**
 * Builds the gradient model of `model`, with shapes from our inference as the engine compiles it,
 * and returns a function evaluating it on an image.
 */
export async function gradientRunner(model: Model, objective: Objective, opts?: GradOptions): Promise<GradientRun> {
  const image = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name))!;
  const graph = withInputShape(model.graph, image.name, image.shape as number[]);
  const gradModel = buildGradientModel({ ...model, graph }, objective, opts);
  const session = await createOrtSession(encodeModel(gradModel), { threads: 1 });
  const imageInput = gradModel.graph.inputs[0]!;
  return async (image, extra = {}) => {
    const feeds = { [imageInput.name]: float32Feed(imageInput.shape as number[], image) };
    for (const [name, t] of Object.entries(extra)) feeds[name] = float32Feed(t.dims, t.data);
    const out = await session.run(feeds);
    return {
      objective: fetchFloat32(out, OBJECTIVE_OUTPUT).data[0]!,
      gradient: fetchFloat32(out, GRADIENT_OUTPUT).data,
    };
  };
}

/** Deterministic pseudo-random normal values (xorshift + Box-Muller). */
export function randomNormal(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 2 ** 32;
  };
  return Float32Array.from(
    { length: n },
    () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}

export const meanSquareOf = (layer: string, weight = 1): Objective => ({
  terms: [{ kind: 'layer', layer, weight, reduce: 'meanSquare' }],
});
