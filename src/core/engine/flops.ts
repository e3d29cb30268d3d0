/** Counts the multiply-add work of a shape-inferred graph: what a GFLOP/s figure divides by. */
import { attrInt, type Graph } from '../onnx/ir.js';
import { product } from '../onnx/shape-math.js';
import { shapeOf } from '../onnx/shapes.js';

/** FLOP (2 per multiply-add) of the Conv, ConvTranspose, Gemm and MatMul nodes of a forward graph. */
export function countForwardFlops(graph: Graph): number {
  let flops = 0;
  for (const node of graph.nodes) {
    if (node.opType === 'Conv' || node.opType === 'ConvTranspose') {
      const weight = shapeOf(graph, node.inputs[1]!);
      // Conv: each output value takes (Cin/group)*kh*kw MACs; ConvTranspose: each input value spreads Cout/group*kh*kw.
      const spread = node.opType === 'Conv' ? node.outputs[0]! : node.inputs[0]!;
      const perValue =
        node.opType === 'Conv' ? product(weight.slice(1)) : product(weight.slice(1)) * attrInt(node, 'group', 1);
      flops += 2 * product(shapeOf(graph, spread)) * perValue;
    } else if (node.opType === 'Gemm' || node.opType === 'MatMul') {
      const a = shapeOf(graph, node.inputs[0]!);
      const out = shapeOf(graph, node.outputs[0]!);
      const inner = node.opType === 'Gemm' && attrInt(node, 'transA', 0) ? a[0]! : a[a.length - 1]!;
      flops += 2 * product(out) * inner;
    }
  }
  return flops;
}
