/**
 * ONNX Runtime sessions configured the way the project runs them, the engine's runtime over them
 * on each device, and helpers to feed and fetch float32 tensors.
 */
import * as ort from 'onnxruntime-node';
import { ortRuntimeSession } from '../../core/engine/ort-session.js';
import type { Runtime } from '../../core/engine/runtime.js';
import type { OrtDevice } from './device.js';

export interface OrtSessionOptions {
  /** Intra-op threads; the target machines have few cores, so the default is 2. */
  threads?: number;
  /** Enables ORT profiling: ORT writes `<profileFile>_<timestamp>.json` on `session.endProfiling()`. */
  profileFile?: string;
  /** Where ORT writes the graph after its optimizations (for inspection). */
  optimizedModelPath?: string;
  /** The execution provider (default cpu); nodes it lacks run on the CPU. Probe it first (device.ts). */
  device?: OrtDevice;
}

export function createOrtSession(modelBytes: Uint8Array, opts: OrtSessionOptions = {}): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // The memory-pattern planner makes the first two runs of a session slow (~3x) instead of one;
    // dreams compile a session per octave, and the steady-state speed is the same without it.
    enableMemPattern: false,
  };
  if (opts.device !== undefined && opts.device !== 'cpu') options.executionProviders = [opts.device, 'cpu'];
  if (opts.profileFile !== undefined) {
    options.enableProfiling = true;
    options.profileFilePrefix = opts.profileFile;
  }
  if (opts.optimizedModelPath !== undefined) options.optimizedModelFilePath = opts.optimizedModelPath;
  return ort.InferenceSession.create(modelBytes, options);
}

/** A float32 ORT tensor over `data` (not copied). */
export function float32Feed(dims: readonly number[], data: Float32Array): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export interface Float32Result {
  dims: number[];
  data: Float32Array;
}

/** The float32 output `name` of a run, with a clear error if it is missing or of another type. */
export function fetchFloat32(results: ort.InferenceSession.ReturnType, name: string): Float32Result {
  const tensor = results[name];
  if (!tensor) throw new Error(`ORT run has no output ${name} (outputs: ${Object.keys(results).join(', ')})`);
  if (tensor.type !== 'float32') throw new Error(`ORT output ${name} is ${tensor.type}, expected float32`);
  return { dims: [...tensor.dims], data: tensor.data as Float32Array };
}

/** The engine's runtime on this host, on `device`. */
export function ortRuntime(device: OrtDevice): Runtime {
  return {
    async createSession(model, options) {
      const session = await createOrtSession(model, { ...options, device });
      return ortRuntimeSession(session, (t) => new ort.Tensor(t.data, t.dims), 'ORT');
    },
    // ORT's WebGPU MaxPool has no indices output.
    maxPoolIndices: device !== 'webgpu',
  };
}

/** The engine's runtime on this host's CPU. */
export const nodeRuntime: Runtime = ortRuntime('cpu');
