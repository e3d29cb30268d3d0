/**
 * tfjs weights: a manifest of specs plus one byte buffer (the shards concatenated), each
 * weight stored in manifest order, optionally quantized to uint8/uint16 (value = min + scale*q).
 * Weights are decoded on demand, so parts of a model that are never converted are never read.
 */
import { floatTensor, type Tensor } from '../../onnx/ir.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2 };

interface Entry {
  spec: WeightSpec;
  offset: number;
  count: number;
}

export class KerasWeights {
  private readonly entries = new Map<string, Entry>();

  /** Validates the manifest against the byte count; `what` names the source in errors. */
  constructor(
    specs: WeightSpec[],
    private readonly bytes: Uint8Array,
    private readonly what = 'weights',
  ) {
    let offset = 0;
    for (const spec of specs) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      this.entries.set(spec.name, { spec, offset, count });
      offset += count * bytesPerValue(spec, what);
    }
    if (offset !== bytes.length) {
      throw new Error(
        `${what}: weight data is ${bytes.length} bytes but the manifest describes ${offset} (truncated or corrupt files)`,
      );
    }
  }

  /** The float32 weight `name` in its Keras layout (e.g. HWIO kernels). */
  get(name: string): Tensor {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`${this.what}: no weight named ${name}`);
    const { spec, offset, count } = entry;
    const q = spec.quantization;
    const start = this.bytes.byteOffset + offset;
    let values: Float32Array;
    if (!q) {
      // Copy: the source may not be 4-byte aligned.
      values = new Float32Array(this.bytes.buffer.slice(start, start + count * 4));
    } else {
      const raw =
        q.dtype === 'uint8'
          ? this.bytes.subarray(offset, offset + count)
          : new Uint16Array(this.bytes.buffer.slice(start, start + count * 2));
      const min = q.min ?? 0;
      const scale = q.scale ?? 1;
      values = new Float32Array(count);
      // A plain loop: Float32Array.from with a map function is an order of magnitude slower.
      for (let i = 0; i < count; i++) values[i] = min + scale * raw[i]!;
    }
    return floatTensor([...spec.shape], values);
  }
}

function bytesPerValue(spec: WeightSpec, what: string): number {
  if (spec.dtype !== 'float32')
    throw new Error(`${what}: weight ${spec.name} has dtype ${spec.dtype}; only float32 is supported`);
  if (!spec.quantization) return 4;
  const bytes = QUANTIZED_BYTES[spec.quantization.dtype];
  if (bytes === undefined) {
    throw new Error(
      `${what}: weight ${spec.name} uses ${spec.quantization.dtype} quantization; only uint8 and uint16 are supported`,
    );
  }
  return bytes;
}
