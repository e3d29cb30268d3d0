/**
 * The engine's compile step, a pure function: a loaded model, an objective and a tile shape in,
 * the ONNX bytes of its gradient model out. Only the objective's structure is compiled: its
 * channel lists are inputs, so one compiled model serves every channel of its layers.
 */
import { type ChannelInput, type GradOptions, buildGradientGraph } from '../autodiff/gradient-model.js';
import { type Objective, objectiveStructureKey } from '../autodiff/objective.js';
import type { LoadedModel } from '../models/types.js';
import { encodeModel } from '../onnx/codec.js';
import type { Model } from '../onnx/ir.js';
import { ancestorsGraph, pruneGraph } from '../onnx/prune.js';
import { withInputShape } from '../onnx/shapes.js';
import type { TileShape } from './gradient-session.js';

export interface CompiledGradient {
  bytes: Uint8Array;
  /** The image input, NCHW float32 [1, 3, tile.height, tile.width]. */
  inputName: string;
  tile: TileShape;
  /** objectiveStructureKey of the objectives it computes. */
  structure: string;
  /** Inputs fed with each objective's channel weights (see channelFeeds). */
  channelInputs: ChannelInput[];
}

/**
 * The part of the model that computes `tensors`, with its image input fixed to a 1x3xHxW tile
 * and every value's shape inferred. Layers above them (a classifier bound to one input size, ops
 * without rules) are cut off first, so they never stop a dream below them.
 */
function modelForTile(loaded: LoadedModel, tile: TileShape, tensors: string[]): Model {
  if (!Number.isInteger(tile.height) || !Number.isInteger(tile.width) || tile.height < 1 || tile.width < 1) {
    throw new Error(`tile size must be positive integers, got ${tile.width}x${tile.height}`);
  }
  const smallest = Math.min(tile.height, tile.width);
  if (smallest < loaded.minInputSize) {
    throw new Error(
      `${loaded.name} needs images of at least ${loaded.minInputSize}x${loaded.minInputSize} pixels, got ${tile.width}x${tile.height}`,
    );
  }
  const trunk = ancestorsGraph(loaded.model.graph, tensors);
  const graph = withInputShape(trunk, loaded.inputName, [1, 3, tile.height, tile.width]);
  return { ...loaded.model, graph };
}

/** The gradient model of `objective`'s structure on tiles of one shape; its terms may read any tensor of the model. */
export function compileGradient(
  loaded: LoadedModel,
  objective: Objective,
  tile: TileShape,
  gradient: GradOptions = {},
): CompiledGradient {
  const layers = objective.terms.map((t) => t.layer);
  const { model, channelInputs } = buildGradientGraph(modelForTile(loaded, tile, layers), objective, gradient);
  return {
    bytes: encodeModel(model),
    inputName: loaded.inputName,
    tile: { height: tile.height, width: tile.width },
    structure: objectiveStructureKey(objective),
    channelInputs,
  };
}

/** The forward pass up to `tensor` (NCHW), for images of one size. */
export function compileActivation(loaded: LoadedModel, tensor: string, size: TileShape): Uint8Array {
  const model = modelForTile(loaded, size, [tensor]);
  return encodeModel({ ...model, graph: pruneGraph(model.graph, [tensor]) });
}
