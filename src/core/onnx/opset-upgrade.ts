/**
 * Rewrites a model of opset 7 to 12 into opset 13, the autodiff's minimum: parameters that
 * became inputs (Squeeze, Unsqueeze and ReduceSum axes, Split sizes, Slice starts/ends/axes, Pad
 * pads, Clip bounds), attributes that were dropped, and Softmax's axis semantics. Where the old
 * meaning cannot be kept, it refuses naming the node rather than guessing.
 */
import { type Dim, type Graph, type Model, type Node, GraphBuilder, floatTensor, int, int64Tensor } from './ir.js';
import { topologicalSort } from './prune.js';
import { inferShapesWhereKnown } from './shapes.js';

const TARGET_OPSET = 13;
/** The IR version opset 13 was released with (IR < 4 would also require initializers as inputs). */
const TARGET_IR_VERSION = 7;
/** Size given to symbolic input dims when shapes are inferred only to learn ranks. */
const RANK_PROBE_SIZE = 224;

/** Attributes older opsets allowed that opset 13 (and ORT's checker) reject, and whose default they had. */
const OBSOLETE_ATTRIBUTES = ['consumed_inputs', 'is_test', 'broadcast'];

/**
 * The shape of a value as far as it is known: declared (graph inputs and outputs, value_info,
 * initializers), else inferred. Inferred dims are trusted only when every input size is static;
 * otherwise only the rank is (symbolic dims are then reported as '?').
 */
function shapeFinder(graph: Graph): (value: string) => Dim[] | undefined {
  const declared = new Map<string, Dim[]>();
  // A declaration without dims says nothing (exporters leave shapes out), so [] is not rank 0 here.
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo.values()])
    if (v.shape.length > 0) declared.set(v.name, v.shape);
  for (const [name, t] of graph.initializers) declared.set(name, t.dims);
  let inferred: Map<string, Dim[]> | undefined;
  const infer = (): Map<string, Dim[]> => {
    const symbolic = graph.inputs.some((i) => i.shape.some((d) => typeof d !== 'number'));
    const probe: Graph = {
      ...graph,
      inputs: graph.inputs.map((i) => ({
        ...i,
        shape: i.shape.map((d) => (typeof d === 'number' ? d : RANK_PROBE_SIZE)),
      })),
      valueInfo: new Map(),
    };
    inferShapesWhereKnown(probe);
    return new Map([...probe.valueInfo].map(([name, v]) => [name, symbolic ? v.shape.map((): Dim => '?') : v.shape]));
  };
  return (value) => declared.get(value) ?? (inferred ??= infer()).get(value);
}

/**
 * Before opset 13, Softmax (and LogSoftmax) normalized over all axes from `axis` on, as one
 * flattened axis; from 13 over `axis` alone. Where at most one of those axes is larger than 1
 * that axis is the same; otherwise a Flatten before and a Reshape back to the input's shape
 * keep the old meaning exactly.
 */
function upgradeSoftmax(
  node: Node,
  shapeOf: (v: string) => Dim[] | undefined,
  builder: GraphBuilder,
  old: number,
): void {
  const a = node.attributes['axis'];
  const axis = a?.type === 'int' ? a.value : 1;
  const shape = shapeOf(node.inputs[0]!) ?? shapeOf(node.outputs[0]!);
  if (shape === undefined)
    throw new Error(
      `ONNX node ${node.name}: cannot upgrade ${node.opType} from opset ${old}: the rank of its input is unknown; re-export the model with opset 13 or later`,
    );
  const first = axis < 0 ? axis + shape.length : axis;
  const larger = shape.map((_, i) => i).filter((i) => i >= first && shape[i] !== 1);
  if (larger.length <= 1) {
    node.attributes['axis'] = int(larger[0] ?? shape.length - 1);
    return;
  }
  const [x, y] = [node.inputs[0]!, node.outputs[0]!];
  node.inputs[0] = builder.add('Flatten', [x], { axis: int(first) }, `${node.name}:flatten`);
  node.outputs[0] = builder.fresh(`${node.name}:flat_output`);
  node.attributes['axis'] = int(1);
  const inputShape = builder.add('Shape', [x], {}, `${node.name}:shape`);
  builder.graph.nodes.push({
    opType: 'Reshape',
    name: builder.fresh(`${node.name}:reshape`),
    inputs: [node.outputs[0], inputShape],
    outputs: [y],
    attributes: {},
  });
}

/** Rewrites `model` in place into opset 13 (nothing to do from 13 on). */
export function upgradeToOpset13(model: Model): void {
  if (model.opsetVersion >= TARGET_OPSET) return;
  const old = model.opsetVersion;
  const graph = model.graph;
  const builder = new GraphBuilder(graph);
  const shapeOf = shapeFinder(graph);
  const refuse = (node: Node, why?: string): Error =>
    new Error(
      `ONNX node ${node.name}: ${node.opType}${why ? ` ${why}` : ''} (opset ${old}) is not supported; re-export the model with opset 13 or later`,
    );
  for (const node of [...graph.nodes]) {
    for (const a of OBSOLETE_ATTRIBUTES) delete node.attributes[a];
    const ints64 =
      (attr: string): ((v: number[]) => string) =>
      (v) =>
        builder.constant(`${node.name}:${attr}`, int64Tensor([v.length], v));
    const moveToInput = (attr: string, position: number, make: (v: number[]) => string) => {
      const a = node.attributes[attr];
      if (!a) return;
      delete node.attributes[attr];
      const value = a.type === 'ints' ? a.value : a.type === 'int' || a.type === 'float' ? [a.value] : [];
      while (node.inputs.length < position) node.inputs.push('');
      node.inputs[position] = make(value);
    };
    switch (node.opType) {
      case 'BatchNormalization': {
        // spatial = 0 (opset 7 and 8) normalized with per-element statistics.
        const spatial = node.attributes['spatial'];
        if (spatial?.type === 'int' && spatial.value === 0) throw refuse(node, 'with spatial = 0');
        delete node.attributes['spatial'];
        break;
      }
      case 'Dropout':
        delete node.attributes['ratio'];
        node.outputs = node.outputs.slice(0, 1);
        break;
      case 'Softmax':
      case 'LogSoftmax':
        upgradeSoftmax(node, shapeOf, builder, old);
        break;
      case 'Squeeze':
      case 'Unsqueeze':
      case 'ReduceSum':
        moveToInput('axes', 1, ints64('axes'));
        break;
      case 'Split':
        moveToInput('split', 1, ints64('split'));
        break;
      case 'Slice':
        moveToInput('starts', 1, ints64('starts'));
        moveToInput('ends', 2, ints64('ends'));
        moveToInput('axes', 3, ints64('axes'));
        break;
      case 'Pad':
        if (old < 11) {
          const value = node.attributes['value'];
          delete node.attributes['value'];
          moveToInput('pads', 1, ints64('pads'));
          if (value?.type === 'float' && value.value !== 0)
            node.inputs[2] = builder.constant(`${node.name}:value`, floatTensor([], [value.value]));
        }
        break;
      case 'Clip':
        if (old < 11) {
          const min = node.attributes['min'];
          const max = node.attributes['max'];
          delete node.attributes['min'];
          delete node.attributes['max'];
          node.inputs[1] =
            min?.type === 'float' ? builder.constant(`${node.name}:min`, floatTensor([], [min.value])) : '';
          if (max?.type === 'float')
            node.inputs[2] = builder.constant(`${node.name}:max`, floatTensor([], [max.value]));
        }
        break;
      case 'Upsample':
      case 'Scatter':
        throw refuse(node);
      default:
    }
  }
  topologicalSort(graph);
  model.opsetVersion = TARGET_OPSET;
  model.irVersion = Math.max(model.irVersion, TARGET_IR_VERSION);
}
