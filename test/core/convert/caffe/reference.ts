/** Loads fixture references and runs imported models through ONNX Runtime for parity checks. */
import { readFileSync } from 'node:fs';
import { buildGradientModel } from '../../../../src/core/autodiff/gradient-model.js';
import type { Objective } from '../../../../src/core/autodiff/objective.js';
import { encodeModel } from '../../../../src/core/onnx/codec.js';
import type { Model } from '../../../../src/core/onnx/ir.js';
import { createOrtSession, fetchFloat32, float32Feed } from '../../../../src/node/runtime/ort.js';
import { shapeOf, withInputShape } from '../../../../src/core/onnx/shapes.js';
import type { LoadedModel } from '../../../../src/core/models/types.js';

export interface FixtureTensor {
  dims: number[];
  data: Float32Array;
}

export interface Reference {
  image: FixtureTensor;
  blobs: Record<string, FixtureTensor>;
  gradients: Record<string, FixtureTensor>;
  concat?: string;
}

export const fixturePath = (relative: string): string =>
  new URL(`../../../fixtures/${relative}`, import.meta.url).pathname;

const decodeTensor = (t: { dims: number[]; data: string }): FixtureTensor => ({
  dims: t.dims,
  data: new Float32Array(new Uint8Array(Buffer.from(t.data, 'base64')).buffer),
});

export function readReference(relative: string): Reference {
  const raw = JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as {
    image: { dims: number[]; data: string };
    blobs: Record<string, { dims: number[]; data: string }>;
    gradients?: Record<string, { dims: number[]; data: string }>;
    concat?: string;
  };
  const map = (r: Record<string, { dims: number[]; data: string }>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, decodeTensor(v)]));
  return {
    image: decodeTensor(raw.image),
    blobs: map(raw.blobs),
    gradients: map(raw.gradients ?? {}),
    ...(raw.concat ? { concat: raw.concat } : {}),
  };
}

function fixedSizeModel(model: Model, dims: number[], outputs: string[]): Model {
  const graph = withInputShape(model.graph, 'image', dims);
  graph.outputs = outputs.map((name) => ({ name, dataType: 'float32', shape: shapeOf(graph, name) }));
  return { ...model, graph };
}

/** The values of `layers` for one image (NCHW RGB 0..255). */
export async function runLayers(
  loaded: LoadedModel,
  image: FixtureTensor,
  layers: string[],
): Promise<Record<string, FixtureTensor>> {
  const session = await createOrtSession(encodeModel(fixedSizeModel(loaded.model, image.dims, layers)), { threads: 1 });
  try {
    const results = await session.run({ image: float32Feed(image.dims, image.data) });
    return Object.fromEntries(layers.map((l) => [l, fetchFloat32(results, l)]));
  } finally {
    await session.release();
  }
}

/** d objective / d image through the project's autodiff. */
export async function runGradient(
  loaded: LoadedModel,
  image: FixtureTensor,
  objective: Objective,
): Promise<Float32Array> {
  const fixed = fixedSizeModel(loaded.model, image.dims, []);
  const session = await createOrtSession(encodeModel(buildGradientModel(fixed, objective)), { threads: 1 });
  try {
    const results = await session.run({ image: float32Feed(image.dims, image.data) });
    return fetchFloat32(results, 'gradient').data;
  } finally {
    await session.release();
  }
}

/** Reference gradient keys are `layer|reduce|channel`. */
export function objectiveFromKey(key: string): Objective {
  const [layer, reduce, channel] = key.split('|');
  return {
    terms: [
      {
        kind: 'layer',
        layer: layer!,
        weight: 1,
        reduce: reduce as 'mean' | 'meanSquare',
        ...(channel !== 'None' ? { channels: [Number(channel)] } : {}),
      },
    ],
  };
}
