/** Vector-Jacobian products of Gemm and MatMul. */
import { attrFloat, attrInt, float, int } from '../../onnx/ir.js';
import type { GradRule } from '../grad-context.js';
import { noGradientRule } from './errors.js';

/** Y = alpha * op(A) op(B) + beta * C, where op transposes when transA / transB is set. */
export const gemmGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const [a, b, c] = node.inputs as [string, string, string?];
  const alpha = float(attrFloat(node, 'alpha', 1));
  const transA = attrInt(node, 'transA', 0);
  const transB = attrInt(node, 'transB', 0);
  const gemm = (x: string, y: string, tx: number, ty: number): string =>
    ctx.add('Gemm', [x, y], { alpha, transA: int(tx), transB: int(ty) });
  const dA = ctx.needsGrad(a) ? (transA ? gemm(b, dY, transB, 1) : gemm(dY, b, 0, 1 - transB)) : undefined;
  const dB = ctx.needsGrad(b) ? (transB ? gemm(dY, a, 1, transA) : gemm(a, dY, 1 - transA, 0)) : undefined;
  let dC: string | undefined;
  if (c && ctx.needsGrad(c)) {
    const scaled = ctx.add('Mul', [dY, ctx.scalar(attrFloat(node, 'beta', 1))]);
    dC = ctx.sumToShape(scaled, ctx.shape(node.outputs[0]!), ctx.shape(c));
  }
  return [dA, dB, dC];
};

/** dA = dY B^T, dB = A^T dY over the last two axes, summed back over broadcast batch axes. */
export const matMulGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const [a, b] = node.inputs as [string, string];
  const aShape = ctx.shape(a);
  const bShape = ctx.shape(b);
  if (aShape.length < 2 || bShape.length < 2) throw noGradientRule(node, 'with a 1-D operand');
  const yShape = ctx.shape(node.outputs[0]!);
  const swapLast = (value: string, rank: number): string =>
    ctx.transpose(value, [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2]);
  const batch = yShape.slice(0, -2);
  const dA = ctx.needsGrad(a)
    ? ctx.sumToShape(ctx.add('MatMul', [dY, swapLast(b, bShape.length)]), [...batch, ...aShape.slice(-2)], aShape)
    : undefined;
  const dB = ctx.needsGrad(b)
    ? ctx.sumToShape(ctx.add('MatMul', [swapLast(a, aShape.length), dY]), [...batch, ...bShape.slice(-2)], bShape)
    : undefined;
  return [dA, dB];
};
