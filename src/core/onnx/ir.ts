/**
 * A small in-memory graph IR for ONNX models: what the converters produce, what the
 * autodiff pass rewrites, and what the codec turns into ONNX protobuf bytes.
 * Tensors are plain typed arrays; shapes are numbers (static) or strings (symbolic).
 */

export type DataType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface Tensor {
  dataType: DataType;
  dims: number[];
  data: TensorData;
}

export type Attribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: Tensor };

export interface Node {
  opType: string;
  /** Unique within the graph; used in error messages and ORT profiles. */
  name: string;
  /** Empty string marks an omitted optional input, as in ONNX. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
  domain?: string;
}

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dataType: DataType;
  shape: Dim[];
}

export interface Graph {
  name: string;
  /** Topologically ordered. */
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  /** Optional shape annotations for intermediate values (filled by shape inference). */
  valueInfo: Map<string, ValueInfo>;
}

export interface Model {
  graph: Graph;
  opsetVersion: number;
  irVersion: number;
  producerName: string;
  /** Free-form key/value metadata stored in the ONNX file (model descriptor, preprocessing…). */
  metadata: Record<string, string>;
}

export const DEFAULT_OPSET = 17;
export const DEFAULT_IR_VERSION = 8;

export function emptyGraph(name: string): Graph {
  return { name, nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
}

export function floatTensor(dims: number[], data: Float32Array | number[]): Tensor {
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  if (values.length !== dims.reduce((a, b) => a * b, 1)) {
    throw new Error(`tensor data has ${values.length} values, dims ${JSON.stringify(dims)} need more or fewer`);
  }
  return { dataType: 'float32', dims, data: values };
}

export function int64Tensor(dims: number[], values: number[]): Tensor {
  return { dataType: 'int64', dims, data: BigInt64Array.from(values.map((v) => BigInt(v))) };
}

/** A tensor's elements as plain numbers (int64 values beyond 2^53 lose precision). */
export const tensorValues = (t: Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

export function attrInt(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (!a) return fallback;
  if (a.type !== 'int') throw new Error(`node ${node.name} (${node.opType}): attribute ${name} is not an int`);
  return a.value;
}

export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (!a) return fallback;
  if (a.type !== 'float' && a.type !== 'int') {
    throw new Error(`node ${node.name} (${node.opType}): attribute ${name} is not a float`);
  }
  return a.value;
}

export function attrInts(node: Node, name: string, fallback: number[]): number[] {
  const a = node.attributes[name];
  if (!a) return fallback;
  if (a.type !== 'ints') throw new Error(`node ${node.name} (${node.opType}): attribute ${name} is not a list of ints`);
  return a.value;
}

export function attrString(node: Node, name: string, fallback: string): string {
  const a = node.attributes[name];
  if (!a) return fallback;
  if (a.type !== 'string') throw new Error(`node ${node.name} (${node.opType}): attribute ${name} is not a string`);
  return a.value;
}

export const ints = (value: number[]): Attribute => ({ type: 'ints', value });
export const int = (value: number): Attribute => ({ type: 'int', value });
export const float = (value: number): Attribute => ({ type: 'float', value });
export const str = (value: string): Attribute => ({ type: 'string', value });

/**
 * Appends nodes to a graph with fresh, collision-free value and node names.
 * Converters and the autodiff pass build graphs through it.
 */
export class GraphBuilder {
  private counter = 0;
  private readonly taken: Set<string>;

  constructor(readonly graph: Graph) {
    this.taken = new Set<string>();
    for (const n of graph.nodes) {
      this.taken.add(n.name);
      n.outputs.forEach((o) => this.taken.add(o));
    }
    graph.inputs.forEach((i) => this.taken.add(i.name));
    graph.initializers.forEach((_, k) => this.taken.add(k));
  }

  /** A name not yet used in the graph, derived from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.taken.has(name)) name = `${hint}_${++this.counter}`;
    this.taken.add(name);
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  add(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}, hint = opType): string {
    return this.addMulti(opType, inputs, 1, attributes, hint)[0]!;
  }

  /** Adds a node with `outputCount` outputs and returns their names. */
  addMulti(
    opType: string,
    inputs: string[],
    outputCount: number,
    attributes: Record<string, Attribute> = {},
    hint = opType,
  ): string[] {
    const name = this.fresh(hint);
    const outputs = Array.from({ length: outputCount }, (_, i) =>
      this.fresh(outputCount === 1 ? `${name}_out` : `${name}_out${i}`),
    );
    this.graph.nodes.push({ opType, name, inputs, outputs, attributes });
    return outputs;
  }

  /** Adds an initializer (constant) and returns its name. */
  constant(hint: string, tensor: Tensor): string {
    const name = this.fresh(hint);
    this.graph.initializers.set(name, tensor);
    return name;
  }
}
