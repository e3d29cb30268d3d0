/**
 * Evaluates the small integer subgraphs that exporters use to compute shapes
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape), so shape inference can see through them.
 * Values are flat row-major number arrays; only small tensors are folded.
 */
import { attrInt, attrInts, type DataType, type Node } from './ir.js';
import { isIntegerType } from './data-types.js';
import { product, sliceRange } from './shape-math.js';

export interface KnownInput {
  dataType: DataType;
  shape: number[];
  values: number[] | undefined;
}

/** Larger values are never shape parameters; folding them would only cost memory. */
export const MAX_FOLDED = 1024;

/**
 * The value of `node`'s first output when every present input's value is known, else undefined.
 * `inputs` lines up with node.inputs; omitted optional inputs are undefined.
 */
export function foldValues(
  node: Node,
  inputs: (KnownInput | undefined)[],
  outType: DataType,
  outShape: number[],
): number[] | undefined {
  if (product(outShape) > MAX_FOLDED || inputs.some((i) => i && i.values === undefined)) return undefined;
  const v = inputs.map((i) => i?.values);
  const integral = isIntegerType(outType);
  switch (node.opType) {
    case 'Identity':
    case 'Reshape':
    case 'Flatten':
    case 'Squeeze':
    case 'Unsqueeze':
      return v[0];
    case 'Cast':
      return integral ? v[0]!.map(Math.trunc) : v[0];
    case 'Concat':
      return inputs.every((i) => i?.shape.length === 1) ? v.flatMap((x) => x!) : undefined;
    case 'Gather': {
      const [data, indices] = [inputs[0]!, v[1]!];
      if (data.shape.length !== 1 || attrInt(node, 'axis', 0) !== 0) return undefined;
      const n = data.shape[0]!;
      return indices.map((i) => data.values![i < 0 ? i + n : i]!);
    }
    case 'Slice': {
      const data = inputs[0]!;
      if (!v[1] || !v[2]) return undefined;
      const rank = data.shape.length;
      const picks = data.shape.map((n) => Array.from({ length: n }, (_, k) => k));
      v[1].forEach((begin, i) => {
        const given = v[3]?.[i] ?? i;
        const axis = given < 0 ? given + rank : given;
        const step = v[4]?.[i] ?? 1;
        const { start, count } = sliceRange(data.shape[axis]!, begin, v[2]![i]!, step);
        picks[axis] = Array.from({ length: count }, (_, k) => start + k * step);
      });
      return gather(
        data.values!,
        data.shape,
        picks,
        data.shape.map((_, a) => a),
      );
    }
    case 'Transpose': {
      const data = inputs[0]!;
      const rank = data.shape.length;
      const perm = attrInts(
        node,
        'perm',
        data.shape.map((_, a) => rank - 1 - a),
      );
      const picks = perm.map((a) => Array.from({ length: data.shape[a]! }, (_, k) => k));
      return gather(data.values!, data.shape, picks, perm);
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
      return elementwise(node.opType, inputs, integral);
    default:
      return undefined;
  }
}

/** Elementwise arithmetic for equal-length operands or a scalar with a vector. */
function elementwise(op: string, inputs: (KnownInput | undefined)[], integral: boolean): number[] | undefined {
  const [a, b] = [inputs[0]!.values!, inputs[1]!.values!];
  if (a.length !== b.length && a.length !== 1 && b.length !== 1) return undefined;
  const f: Record<string, (x: number, y: number) => number> = {
    Add: (x, y) => x + y,
    Sub: (x, y) => x - y,
    Mul: (x, y) => x * y,
    Div: (x, y) => (integral ? Math.trunc(x / y) : x / y),
  };
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => f[op]!(a[a.length === 1 ? 0 : i]!, b[b.length === 1 ? 0 : i]!));
}

/**
 * The elements of `values` (row-major, of `shape`) at every combination of `picks`, where
 * output axis j runs over the indices `picks[j]` of input axis `axes[j]` (a Slice or Transpose).
 */
function gather(values: number[], shape: number[], picks: number[][], axes: number[]): number[] {
  const strides = shape.map((_, a) => product(shape.slice(a + 1)));
  let offsets = [0];
  picks.forEach((indices, j) => {
    const stride = strides[axes[j]!]!;
    offsets = offsets.flatMap((o) => indices.map((k) => o + k * stride));
  });
  return offsets.map((o) => values[o]!);
}
