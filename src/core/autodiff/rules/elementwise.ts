/** Vector-Jacobian products of broadcasting arithmetic (gradients summed back to operand shapes). */
import type { GradContext, GradRule } from '../grad-context.js';

/** The contribution `grad` (shaped like the node output) reduced to input `i`'s shape, if it needs one. */
function toInput(
  inputs: string[],
  i: number,
  output: string,
  ctx: GradContext,
  grad: () => string,
): string | undefined {
  const input = inputs[i]!;
  if (!ctx.needsGrad(input)) return undefined;
  return ctx.sumToShape(grad(), ctx.shape(output), ctx.shape(input));
}

export const addGrad: GradRule = (node, [dY], ctx) =>
  dY ? node.inputs.map((_, i) => toInput(node.inputs, i, node.outputs[0]!, ctx, () => dY)) : [];

export const subGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const out = node.outputs[0]!;
  return [toInput(node.inputs, 0, out, ctx, () => dY), toInput(node.inputs, 1, out, ctx, () => ctx.add('Neg', [dY]))];
};

export const mulGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const [a, b] = node.inputs as [string, string];
  const out = node.outputs[0]!;
  return [
    toInput(node.inputs, 0, out, ctx, () => ctx.add('Mul', [dY, b])),
    toInput(node.inputs, 1, out, ctx, () => ctx.add('Mul', [dY, a])),
  ];
};

/** d(a/b)/da = 1/b, d(a/b)/db = -y/b. */
export const divGrad: GradRule = (node, [dY], ctx) => {
  if (!dY) return [];
  const b = node.inputs[1]!;
  const out = node.outputs[0]!;
  const dA = (): string => ctx.add('Div', [dY, b]);
  return [
    toInput(node.inputs, 0, out, ctx, dA),
    toInput(node.inputs, 1, out, ctx, () => ctx.add('Neg', [ctx.add('Mul', [dA(), out])])),
  ];
};
