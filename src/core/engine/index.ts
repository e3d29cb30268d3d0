/**
 * The engine: compiles (model, objective, tile shape) into one ONNX Runtime session that
 * returns the objective and its gradient with respect to the image tile.
 */
import type * as ort from 'onnxruntime-node';
import { buildGradientModel, type GradOptions } from '../autodiff/gradient-model.js';
import { GRADIENT_OUTPUT, OBJECTIVE_OUTPUT, type Objective } from '../autodiff/objective.js';
import { encodeModel } from '../onnx/codec.js';
import type { Model } from '../onnx/ir.js';
import { createOrtSession, fetchFloat32, float32Feed, type Float32Result } from '../../node/runtime/ort.js';
import { pruneGraph } from '../onnx/prune.js';
import { withInputShape } from '../onnx/shapes.js';
import { findLayer } from '../../node/models/index.js';
import type { LoadedModel } from '../models/types.js';
import type { GradientResult, GradientSession } from './gradient-session.js';

export type { GradientResult, GradientSession } from './gradient-session.js';

export interface TileShape {
  height: number;
  width: number;
}

export interface SessionOptions {
  /** ORT intra-op threads (default 2). */
  threads?: number;
  /** Write an ORT profile with this file prefix (see onnx/ort.ts). */
  profileFile?: string;
  /** How the gradient graph is written (gradient sessions only). */
  gradient?: GradOptions;
}

/** The model with its image input fixed to a 1x3xHxW tile and every value's shape inferred. */
function modelForTile(loaded: LoadedModel, tile: TileShape): Model {
  if (!Number.isInteger(tile.height) || !Number.isInteger(tile.width) || tile.height < 1 || tile.width < 1) {
    throw new Error(`tile size must be positive integers, got ${tile.width}x${tile.height}`);
  }
  const smallest = Math.min(tile.height, tile.width);
  if (smallest < loaded.minInputSize) {
    throw new Error(
      `${loaded.name} needs images of at least ${loaded.minInputSize}x${loaded.minInputSize} pixels, got ${tile.width}x${tile.height}`,
    );
  }
  const graph = withInputShape(loaded.model.graph, loaded.inputName, [1, 3, tile.height, tile.width]);
  return { ...loaded.model, graph };
}

function checkLayers(loaded: LoadedModel, layers: string[]): void {
  if (layers.length === 0) throw new Error('the objective names no layer');
  for (const layer of layers) findLayer(loaded, layer);
}

class OrtGradientSession implements GradientSession {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    readonly tileHeight: number,
    readonly tileWidth: number,
  ) {}

  async run(
    tile: Float32Array,
    extraInputs: Record<string, { dims: number[]; data: Float32Array }> = {},
  ): Promise<GradientResult> {
    const expected = 3 * this.tileHeight * this.tileWidth;
    if (tile.length !== expected) throw new Error(`tile has ${tile.length} values, the session expects ${expected}`);
    const feeds: Record<string, ort.Tensor> = {
      [this.inputName]: float32Feed([1, 3, this.tileHeight, this.tileWidth], tile),
    };
    for (const [name, t] of Object.entries(extraInputs)) feeds[name] = float32Feed(t.dims, t.data);
    const results = await this.session.run(feeds);
    const objective = fetchFloat32(results, OBJECTIVE_OUTPUT).data[0]!;
    return { objective, gradient: fetchFloat32(results, GRADIENT_OUTPUT).data };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** One ORT session computing `objective` and d(objective)/d(tile) for tiles of one shape. */
export async function createGradientSession(
  loaded: LoadedModel,
  objective: Objective,
  tile: TileShape,
  opts: SessionOptions = {},
): Promise<GradientSession> {
  checkLayers(
    loaded,
    objective.terms.map((t) => t.layer),
  );
  const gradientModel = buildGradientModel(modelForTile(loaded, tile), objective, opts.gradient);
  const session = await createOrtSession(encodeModel(gradientModel), opts);
  return new OrtGradientSession(session, loaded.inputName, tile.height, tile.width);
}

export interface ActivationSession {
  run(tile: Float32Array): Promise<Float32Result>;
  release(): Promise<void>;
}

/** One ORT session returning a layer's activation (NCHW) for images of one size: guide features. */
export async function createActivationSession(
  loaded: LoadedModel,
  layer: string,
  size: TileShape,
  opts: SessionOptions = {},
): Promise<ActivationSession> {
  checkLayers(loaded, [layer]);
  const model = modelForTile(loaded, size);
  const graph = pruneGraph(model.graph, [layer]);
  const session = await createOrtSession(encodeModel({ ...model, graph }), opts);
  const dims = [1, 3, size.height, size.width];
  return {
    async run(tile) {
      return fetchFloat32(await session.run({ [loaded.inputName]: float32Feed(dims, tile) }), layer);
    },
    release: () => session.release(),
  };
}
