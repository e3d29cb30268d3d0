import type { Node } from '../../onnx/ir.js';

/** The error for an op (or an op variant, described by `detail`) that has no gradient rule. */
export function noGradientRule(node: Node, detail?: string): Error {
  const what = detail ? `${node.opType} ${detail}` : node.opType;
  return new Error(`no gradient rule for op ${what} (node ${node.name})`);
}
