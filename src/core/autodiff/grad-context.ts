/**
 * What a gradient rule sees while the backward graph is written: the graph being extended,
 * static shapes and constant values of forward tensors, and small helpers that emit the
 * bookkeeping nodes (constants, broadcasting reductions) rules share.
 */
import { foldedValues, shapeOf } from '../onnx/shapes.js';
import {
  type Attribute,
  type Graph,
  type Node,
  type Tensor,
  GraphBuilder,
  floatTensor,
  int,
  int64Tensor,
  ints,
  tensorValues,
} from '../onnx/ir.js';

export interface GradOptions {
  /**
   * Use the layout-friendly formulations measured to be fast in ONNX Runtime (Conv backward as a
   * Conv on flipped weights, ReLU masks that stay in ORT's blocked layout, MaxPool backward by
   * MaxUnpool where windows never overlap). `false` keeps only the plain, general formulations
   * (for comparison).
   */
  fastPaths?: boolean;
  /**
   * How MaxPool is differentiated: `indices` scatters the gradient at the argmax indices MaxPool
   * outputs (fastest on CPU); `indicesFree` finds each window's argmax with standard ops instead,
   * for runtimes whose MaxPool has no indices output (WebGPU). Both pick the first maximum of a
   * window in row-major order, as ONNX Runtime's MaxPool does.
   */
  maxPoolBackward?: 'indices' | 'indicesFree';
}

/**
 * Returns one gradient contribution per node input (undefined where none flows), given the
 * gradients of the node outputs (undefined for outputs that receive none).
 */
export type GradRule = (node: Node, dOutputs: (string | undefined)[], ctx: GradContext) => (string | undefined)[];

/** The value of a constant tensor (initializer or Constant node output), or undefined. */
export function constantTensorOf(graph: Graph, value: string): Tensor | undefined {
  const init = graph.initializers.get(value);
  if (init) return init;
  const producer = graph.nodes.find((n) => n.opType === 'Constant' && n.outputs[0] === value);
  const attr = producer?.attributes['value'];
  return attr?.type === 'tensor' ? attr.value : undefined;
}

export class GradContext {
  readonly builder: GraphBuilder;
  readonly opts: Required<GradOptions>;
  private readonly consumerMap = new Map<string, Node[]>();
  private readonly producerMap = new Map<string, Node>();
  /**
   * ReLU outputs whose gradient arrives already masked (a rule masked a larger tensor they
   * are part of), so the ReLU rule passes it through.
   */
  readonly premaskedRelus = new Set<string>();
  /**
   * Gradients that can be recomputed for a range of channels only (a backward Conv with the
   * weight rows of those channels, sums of such). A channel Concat hands each input its own
   * slice this way instead of splitting the whole gradient: ORT has no blocked-layout Split, so
   * a Split costs layout conversions of the whole gradient, while the slices stay blocked.
   */
  private readonly channelSlicers = new Map<string, (start: number, count: number) => string>();
  /** The nodes before any rule ran: the forward computation. */
  private readonly forwardNodes: Node[];
  /** Values of the forward graph known before run time (computed on first use). */
  private folded: Map<string, number[]> | undefined;

  constructor(
    readonly graph: Graph,
    /** Values that depend on the image input (the only ones that need gradients). */
    private readonly dependsOnImage: Set<string>,
    /** Activations the objective reads (they receive gradient from outside the graph). */
    readonly objectiveLayers: Set<string>,
    opts: GradOptions,
  ) {
    this.opts = { fastPaths: opts.fastPaths ?? true, maxPoolBackward: opts.maxPoolBackward ?? 'indices' };
    this.builder = new GraphBuilder(graph);
    this.forwardNodes = [...graph.nodes];
    for (const n of graph.nodes) {
      for (const i of n.inputs) {
        const readers = this.consumerMap.get(i);
        if (readers) readers.push(n);
        else this.consumerMap.set(i, [n]);
      }
      n.outputs.forEach((o) => this.producerMap.set(o, n));
    }
  }

  /** The forward node that computes `value`. */
  producer(value: string): Node | undefined {
    return this.producerMap.get(value);
  }

  /** The forward nodes that read `value`. */
  consumers(value: string): Node[] {
    return this.consumerMap.get(value) ?? [];
  }

  needsGrad(value: string): boolean {
    return value !== '' && this.dependsOnImage.has(value);
  }

  /** Static shape of a forward value (from shape inference, graph inputs or initializers). */
  shape(value: string): number[] {
    return shapeOf(this.graph, value);
  }

  /**
   * A constant input's values (Slice starts, Pad pads, Clip bounds…), also where the exporter
   * computes them from shapes; inputs computed from the image are an error.
   */
  constantValues(value: string, node: Node): number[] {
    const t = constantTensorOf(this.graph, value);
    if (t) return tensorValues(t);
    this.folded ??= foldedValues({ ...this.graph, nodes: this.forwardNodes });
    const folded = this.folded.get(value);
    if (!folded) throw new Error(`autodiff: ${node.opType} node ${node.name} needs a constant input ${value}`);
    return folded;
  }

  /** Declares how to compute channels [start, start + count) of `grad` on their own. */
  setChannelSlicer(grad: string, slicer: (start: number, count: number) => string): void {
    if (this.opts.fastPaths) this.channelSlicers.set(grad, slicer);
  }

  /** Channels [start, start + count) of `grad` computed on their own, or undefined if it has no slicer. */
  channelSlice(grad: string, start: number, count: number): string | undefined {
    return this.channelSlicers.get(grad)?.(start, count);
  }

  hasChannelSlicer(grad: string): boolean {
    return this.channelSlicers.has(grad);
  }

  /** Elements [start, start + count) along `axis` of `value` (folded by ORT when `value` is a constant). */
  sliceAxis(value: string, axis: number, start: number, count: number): string {
    return this.add('Slice', [value, this.int64s([start]), this.int64s([start + count]), this.int64s([axis])]);
  }

  add(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}): string {
    return this.builder.add(opType, inputs, attributes, `grad_${opType}`);
  }

  int64s(values: number[], dims = [values.length]): string {
    return this.builder.constant('grad_ints', int64Tensor(dims, values));
  }

  floats(dims: number[], values: Float32Array | number[]): string {
    return this.builder.constant('grad_const', floatTensor(dims, values));
  }

  scalar(value: number): string {
    return this.floats([], [value]);
  }

  reshape(value: string, shape: number[]): string {
    return this.add('Reshape', [value, this.int64s(shape)]);
  }

  /** A zero tensor of `shape` (materialised by ORT at run time, not stored in the file). */
  zeros(shape: number[]): string {
    return this.add('ConstantOfShape', [this.int64s(shape)], {
      value: { type: 'tensor', value: floatTensor([1], [0]) },
    });
  }

  /** Sums a gradient of a broadcast result back to an operand's shape (numpy broadcasting). */
  sumToShape(grad: string, gradShape: number[], target: number[]): string {
    const lead = gradShape.length - target.length;
    const axes = gradShape.flatMap((d, i) => (i < lead || (target[i - lead] === 1 && d !== 1) ? [i] : []));
    if (axes.length === 0) return grad;
    const summed = this.add('ReduceSum', [grad, this.int64s(axes)], { keepdims: int(1) });
    return lead > 0 ? this.reshape(summed, target) : summed;
  }

  /** Writes `perm` as a Transpose attribute. */
  transpose(value: string, perm: number[]): string {
    return this.add('Transpose', [value], { perm: ints(perm) });
  }
}
