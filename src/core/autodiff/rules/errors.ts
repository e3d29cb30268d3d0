import { type Graph, type Node, attrInt, tensorValues } from '../../onnx/ir.js';
import { constantTensorOf } from '../grad-context.js';

/** The error for an op (or an op variant, described by `detail`) that has no gradient rule. */
export function noGradientRule(node: Node, detail?: string): Error {
  const what = detail ? `${node.opType} ${detail}` : node.opType;
  return new Error(`no gradient rule for op ${what} (node ${node.name})`);
}

/**
 * Whether a BatchNormalization or Dropout computes its training-mode function: batch statistics
 * (training_mode, or the statistics outputs older opsets only have in training) or a random mask
 * (a training_mode input that is not a constant false).
 */
function inTrainingMode(graph: Graph, node: Node): boolean {
  if (node.opType === 'BatchNormalization')
    return attrInt(node, 'training_mode', 0) === 1 || node.outputs.slice(1).some((o) => o !== '');
  if (node.opType !== 'Dropout' || (node.inputs[2] ?? '') === '') return false;
  const flag = constantTensorOf(graph, node.inputs[2]!);
  return !flag || tensorValues(flag)[0] !== 0;
}

/** The refusal of a node that runs in training mode, or undefined when it runs in inference mode. */
export function trainingModeError(graph: Graph, node: Node): Error | undefined {
  if (!inTrainingMode(graph, node)) return undefined;
  return new Error(
    `node ${node.name} (${node.opType}) runs in training mode: the model was exported for training; export it again in inference mode (PyTorch: model.eval() before torch.onnx.export)`,
  );
}
