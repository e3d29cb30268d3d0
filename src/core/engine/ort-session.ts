/**
 * A runtime session over ONNX Runtime's JavaScript API, which onnxruntime-node and onnxruntime-web
 * share (onnxruntime-common): described here by its shape, so core imports neither.
 */
import type { RuntimeSession, RuntimeTensor } from './runtime.js';

export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/**
 * @param tensor The host's ORT tensor of an engine tensor.
 * @param runtime How errors name the runtime ("ORT", "onnxruntime-web").
 */
export function ortRuntimeSession(
  session: OrtSession,
  tensor: (t: RuntimeTensor) => OrtTensor,
  runtime: string,
): RuntimeSession {
  return {
    async run(feeds) {
      const inputs: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds)) inputs[name] = tensor(t);
      const outputs: Record<string, RuntimeTensor> = {};
      for (const [name, t] of Object.entries(await session.run(inputs))) outputs[name] = engineTensor(name, t, runtime);
      return outputs;
    },
    release: () => session.release(),
  };
}

function engineTensor(name: string, tensor: OrtTensor, runtime: string): RuntimeTensor {
  const dims = [...tensor.dims];
  if (tensor.type === 'float32') return { dims, data: tensor.data as Float32Array };
  if (tensor.type === 'int64') return { dims, data: tensor.data as BigInt64Array };
  throw new Error(`${runtime} output ${name} is ${tensor.type}; the engine reads float32 and int64 outputs only`);
}
