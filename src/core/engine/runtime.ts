/**
 * What the engine needs from its host to run a compiled model: create a session from ONNX bytes,
 * run it with named tensors, release it. The Node host implements it with onnxruntime-node; a
 * browser host can implement it with onnxruntime-web.
 */

export interface Float32Tensor {
  dims: number[];
  data: Float32Array;
}

export interface Int64Tensor {
  dims: number[];
  data: BigInt64Array;
}

export type RuntimeTensor = Float32Tensor | Int64Tensor;

export interface SessionOptions {
  /** Intra-op threads (default 2). */
  threads?: number;
  /** Profile the session's runs, written under this file prefix when it is released (hosts that can). */
  profileFile?: string;
}

export interface RuntimeSession {
  /** Runs the model on named inputs; returns its outputs by name. */
  run(feeds: Record<string, RuntimeTensor>): Promise<Record<string, RuntimeTensor>>;
  release(): Promise<void>;
}

export interface Runtime {
  createSession(model: Uint8Array, options?: SessionOptions): Promise<RuntimeSession>;
  /**
   * Whether the runtime computes MaxPool's indices output (default true). Where it does not
   * (ONNX Runtime on WebGPU, in the browser or in Node), compiling a gradient must use a MaxPool
   * backward without indices.
   */
  readonly maxPoolIndices?: boolean;
}

/** The float32 output `name` of a run, with a clear error if it is missing or of another type. */
export function float32Output(outputs: Record<string, RuntimeTensor>, name: string): Float32Tensor {
  const tensor = outputs[name];
  if (!tensor) throw new Error(`the run has no output ${name} (outputs: ${Object.keys(outputs).join(', ')})`);
  if (!(tensor.data instanceof Float32Array)) throw new Error(`output ${name} is not float32`);
  return tensor as Float32Tensor;
}
