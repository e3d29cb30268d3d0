/**
 * The engine: compiles (model, objective, tile shape) into a gradient model and runs it in a
 * host's runtime, returning the objective and its gradient with respect to the image tile.
 */
import type { GradOptions } from '../autodiff/gradient-model.js';
import type { Objective } from '../autodiff/objective.js';
import type { LoadedModel } from '../models/types.js';
import { compileActivation, compileGradient } from './compile.js';
import { GradientProgram } from './gradient-program.js';
import type { GradientSession, TileShape } from './gradient-session.js';
import { float32Output, type Float32Tensor, type Runtime, type SessionOptions } from './runtime.js';

export type { GradientResult, GradientSession, TileShape } from './gradient-session.js';
export { GradientProgram } from './gradient-program.js';
export type { Float32Tensor, Int64Tensor, Runtime, RuntimeSession, RuntimeTensor, SessionOptions } from './runtime.js';

export interface GradientSessionOptions extends SessionOptions {
  /** How the gradient graph is written. Default: the fast paths, with a MaxPool backward the runtime can run. */
  gradient?: GradOptions;
}

/** A runtime without MaxPool's indices output (onnxruntime-web on WebGPU) needs the indices-free backward. */
function gradOptionsFor(runtime: Runtime): GradOptions {
  return runtime.maxPoolIndices === false ? { maxPoolBackward: 'indicesFree' } : {};
}

/** The compiled structure of `objective` on tiles of one shape, ready to bind to objectives like it. */
export async function createGradientProgram(
  loaded: LoadedModel,
  objective: Objective,
  tile: TileShape,
  runtime: Runtime,
  { gradient, ...session }: GradientSessionOptions = {},
): Promise<GradientProgram> {
  const compiled = compileGradient(loaded, objective, tile, gradient ?? gradOptionsFor(runtime));
  return new GradientProgram(compiled, await runtime.createSession(compiled.bytes, session));
}

/** One session computing `objective` and d(objective)/d(tile) for tiles of one shape. */
export async function createGradientSession(
  loaded: LoadedModel,
  objective: Objective,
  tile: TileShape,
  runtime: Runtime,
  opts: GradientSessionOptions = {},
): Promise<GradientSession> {
  return (await createGradientProgram(loaded, objective, tile, runtime, opts)).bind(objective);
}

export interface ActivationSession {
  run(tile: Float32Array): Promise<Float32Tensor>;
  release(): Promise<void>;
}

/** One session returning a tensor's value (NCHW) for images of one size: guide features, logits. */
export async function createActivationSession(
  loaded: LoadedModel,
  tensor: string,
  size: TileShape,
  runtime: Runtime,
  opts: SessionOptions = {},
): Promise<ActivationSession> {
  const session = await runtime.createSession(compileActivation(loaded, tensor, size), opts);
  const dims = [1, 3, size.height, size.width];
  return {
    async run(tile) {
      return float32Output(await session.run({ [loaded.inputName]: { dims, data: tile } }), tensor);
    },
    release: () => session.release(),
  };
}
