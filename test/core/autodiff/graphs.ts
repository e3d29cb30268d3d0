/** Small one-input models built in code for the autodiff tests. */
import {
  type Attribute,
  DEFAULT_IR_VERSION,
  DEFAULT_OPSET,
  GraphBuilder,
  type Model,
  emptyGraph,
  floatTensor,
  int64Tensor,
} from '../../../src/core/onnx/ir.js';
import { inferShapes } from '../../../src/core/onnx/shapes.js';
import { randomNormal } from './harness.js';

export interface GraphKit {
  b: GraphBuilder;
  /** Adds a node with one output. */
  op(opType: string, inputs: string[], attributes?: Record<string, Attribute>): string;
  weights(dims: number[], scale?: number): string;
  ints(values: number[]): string;
}

let seed = 100;

/** A model with one float input `image` of `shape`, built by `body` (which returns the output). */
export function buildModel(shape: number[], body: (kit: GraphKit, image: string) => string): Model {
  const graph = emptyGraph('test');
  graph.inputs.push({ name: 'image', dataType: 'float32', shape });
  const b = new GraphBuilder(graph);
  const kit: GraphKit = {
    b,
    op: (opType, inputs, attributes = {}) => b.add(opType, inputs, attributes),
    weights: (dims, scale = 0.5) => {
      const n = dims.reduce((a, c) => a * c, 1);
      return b.constant(
        'w',
        floatTensor(
          dims,
          randomNormal(n, seed++).map((v) => v * scale),
        ),
      );
    },
    ints: (values) => b.constant('i', int64Tensor([values.length], values)),
  };
  const out = body(kit, 'image');
  inferShapes(graph);
  graph.outputs.push(graph.valueInfo.get(out)!);
  return { graph, opsetVersion: DEFAULT_OPSET, irVersion: DEFAULT_IR_VERSION, producerName: 'test', metadata: {} };
}
