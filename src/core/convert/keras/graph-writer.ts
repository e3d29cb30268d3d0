/** Node and constant creation for the Keras converter, with exact output names for Keras layers. */
import { floatTensor, type Attribute, type GraphBuilder, type Tensor } from '../../onnx/ir.js';

export class GraphWriter {
  constructor(private readonly builder: GraphBuilder) {}

  /** Adds a node; with `exact`, its output is named `name` (a Keras layer name), else a fresh name from it. */
  node(opType: string, inputs: string[], attributes: Record<string, Attribute>, name: string, exact = false): string {
    const output = this.builder.fresh(name);
    if (exact && output !== name) throw new Error(`Keras converter: tensor name ${name} is already taken`);
    const nodeName = this.builder.fresh(`${name}/${opType}`);
    this.builder.graph.nodes.push({ opType, name: nodeName, inputs, outputs: [output], attributes });
    return output;
  }

  constant(name: string, tensor: Tensor): string {
    return this.builder.constant(name, tensor);
  }

  scalar(name: string, value: number): string {
    return this.builder.constant(name, floatTensor([], [value]));
  }
}
