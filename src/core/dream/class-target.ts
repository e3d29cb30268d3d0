/**
 * Class visualization on a loaded model: the objective (one class logit) and how the classifier
 * head constrains the input size. A head that flattens a feature map into a fully connected layer
 * (Reshape/Flatten + Gemm) only works at the size it was trained at; a head that pools globally
 * first works at any size.
 */
import type { Objective } from '../autodiff/objective.js';
import type { TileShape } from '../engine/gradient-session.js';
import { classObjective, LOGITS_METADATA } from '../models/descriptor.js';
import type { LoadedModel } from '../models/types.js';
import { ancestorsGraph } from '../onnx/prune.js';
import { shapeOf, withInputShape } from '../onnx/shapes.js';

export interface ClassTarget {
  objective: Objective;
  /** The network's input size when the head accepts no other; absent when any size works. */
  fixedInput?: TileShape;
}

/** The class objective (on the logits tensor, which the engine differentiates like any other). */
export function classTarget(model: LoadedModel, label: string): ClassTarget {
  const logits = model.model.metadata[LOGITS_METADATA];
  if (!logits) {
    throw new Error(
      model.noClassifierMessage ??
        `model '${model.name}' has no classifier head (no logits in its descriptor), so it cannot visualize classes`,
    );
  }
  const objective = classObjective(model, label);
  const [height, width] = model.defaultInputSize;
  const shape = logitsShape(model, logits, [height, width]);
  if (!shape) throw new Error(`model '${model.name}': its logits '${logits}' cannot be computed at its own input size`);
  const fixed = !sameShape(logitsShape(model, logits, [2 * height, 2 * width]), shape, shape.length > 2);
  return { objective, ...(fixed && { fixedInput: { height, width } }) };
}

/** The logits' shape for an input of `size`, or undefined when what computes them cannot run at that size. */
function logitsShape(model: LoadedModel, logits: string, [height, width]: [number, number]): number[] | undefined {
  try {
    const head = ancestorsGraph(model.model.graph, [logits]);
    return shapeOf(withInputShape(head, model.inputName, [1, 3, height, width]), logits);
  } catch {
    return undefined;
  }
}

/** Batch and class axes must agree; spatial logits (a convolutional head) may differ in size. */
function sameShape(a: number[] | undefined, b: number[], spatial: boolean): boolean {
  if (!a || a.length !== b.length) return false;
  return spatial ? a[0] === b[0] && a[1] === b[1] : a.every((d, i) => d === b[i]);
}
