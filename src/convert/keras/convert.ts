/**
 * Keras (tfjs-layers topology + weights) to the ONNX IR, NCHW, truncated at `lastLayer`.
 *
 * The graph input is `image`: [1, 3, height, width] float32 RGB pixels in 0..255. The Keras
 * preprocessing (x/127.5 - 1) is the first part of the graph, so gradients are with respect to
 * pixels. Each Keras layer's output tensor carries the layer's name, except for layers folded
 * into a neighbour (reported in `absent`): a linear conv followed only by BatchNormalization
 * becomes one Conv whose output is named after the BatchNormalization layer, and a ZeroPadding2D
 * consumed only by a convolution becomes that convolution's padding.
 */
import {
  DEFAULT_IR_VERSION,
  DEFAULT_OPSET,
  emptyGraph,
  floatTensor,
  GraphBuilder,
  int,
  int64Tensor,
  ints,
  str,
} from '../../onnx/ir.js';
import type { Attribute, Model, Tensor } from '../../onnx/ir.js';
import { concatAxis, layerShapes } from './shapes.js';
import { onnxPadding, onnxPadsOrder, windowOf, zeroPadding, type OnnxPadding } from './spatial.js';
import { ancestorsOf, type KerasLayer, type KerasTopology } from './topology.js';
import type { KerasWeights } from './weights.js';

export const IMAGE_INPUT = 'image';
/** Part of cache keys: bump whenever the graphs this converter produces change. */
export const KERAS_CONVERTER_VERSION = '1';
/** Metadata key: JSON {layer: reason} of the converted layers that have no tensor of their own. */
export const ABSENT_LAYERS_KEY = 'keras_absent_layers';

export interface KerasConvertOptions {
  /** The deepest layer to convert; only it and the layers it depends on are in the graph. */
  lastLayer: string;
  /** Graph name. */
  name?: string;
}

export interface KerasConversion {
  model: Model;
  /** The converted layers (lastLayer and its ancestors), topologically ordered. */
  layers: KerasLayer[];
  /** Converted layers without a tensor of their own, with the reason (what they were folded into). */
  absent: Map<string, string>;
}

const CONVOLUTIONS = new Set(['Conv2D', 'DepthwiseConv2D']);
const ACTIVATIONS: Record<string, string> = { relu: 'Relu', linear: 'Identity' };
/** Keras per-example axis (H, W, C) to NCHW axis. */
const NCHW_AXIS = [2, 3, 1];

export function convertKeras(
  topology: KerasTopology,
  weights: KerasWeights,
  options: KerasConvertOptions,
): KerasConversion {
  const layers = ancestorsOf(topology, [options.lastLayer]);
  const shapes = layerShapes(topology, layers, topology.defaultInputSize);
  const consumers = new Map<string, KerasLayer[]>(layers.map((l) => [l.name, []]));
  for (const layer of layers) layer.inputs.forEach((input) => consumers.get(input)!.push(layer));
  /** The layer's only consumer in the converted graph, unless the layer itself is an output. */
  const soleConsumer = (layer: KerasLayer): KerasLayer | undefined => {
    const users = consumers.get(layer.name)!;
    return layer.name !== options.lastLayer && users.length === 1 ? users[0] : undefined;
  };

  const graph = emptyGraph(options.name ?? 'keras');
  graph.inputs.push({ name: IMAGE_INPUT, dataType: 'float32', shape: [1, 3, 'height', 'width'] });
  const out = new GraphWriter(new GraphBuilder(graph));
  const tensorOf = new Map<string, string>();
  const absent = new Map<string, string>();
  const inputTensor = (layer: KerasLayer, i = 0): string => tensorOf.get(layer.inputs[i]!)!;

  for (const layer of layers) {
    if (tensorOf.has(layer.name) || absent.has(layer.name)) continue;
    const c = layer.config;
    switch (layer.className) {
      case 'InputLayer': {
        const scaled = out.node('Mul', [IMAGE_INPUT, out.scalar('pixel_scale', 1 / 127.5)], {}, `${layer.name}/scale`);
        tensorOf.set(layer.name, out.node('Add', [scaled, out.scalar('pixel_shift', -1)], {}, layer.name, true));
        break;
      }
      case 'ZeroPadding2D': {
        const pads = zeroPadding(layer);
        const user = soleConsumer(layer);
        if (user && CONVOLUTIONS.has(user.className) && 'pads' in onnxPadding(windowOf(user))) {
          absent.set(layer.name, `zero padding folded into ${user.name}`);
          break;
        }
        const padsTensor = out.constant(
          `${layer.name}/pads`,
          int64Tensor([8], [0, 0, pads[0], pads[2], 0, 0, pads[1], pads[3]]),
        );
        tensorOf.set(layer.name, out.node('Pad', [inputTensor(layer), padsTensor], {}, layer.name, true));
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const source = topology.byName.get(layer.inputs[0]!)!;
        const folded = source.className === 'ZeroPadding2D' && absent.has(source.name);
        const x = folded ? tensorOf.get(source.inputs[0]!)! : inputTensor(layer);
        const inChannels = shapes.get(layer.inputs[0]!)![2]!;
        const activation = c.string('activation', 'linear');
        const bn = activation === 'linear' ? soleConsumer(layer) : undefined;
        const fuseBn = bn?.className === 'BatchNormalization' ? bn : undefined;
        let { kernel, bias } = convWeights(layer, weights, inChannels);
        if (fuseBn) {
          ({ kernel, bias } = foldBatchNorm(fuseBn, weights, kernel, bias));
          absent.set(layer.name, `folded into ${fuseBn.name} (its BatchNormalization)`);
        }
        const window = windowOf(layer);
        const attributes: Record<string, Attribute> = {
          kernel_shape: ints(window.kernel),
          strides: ints(window.strides),
          dilations: ints(window.dilation),
          group: int(layer.className === 'DepthwiseConv2D' ? inChannels : 1),
          ...paddingAttributes(onnxPadding(window, folded ? zeroPadding(source) : undefined)),
        };
        const inputs = [x, out.constant(`${layer.name}/kernel`, kernel)];
        if (bias) inputs.push(out.constant(`${layer.name}/bias`, bias));
        const name = fuseBn?.name ?? layer.name;
        if (activation === 'linear') {
          tensorOf.set(name, out.node('Conv', inputs, attributes, name, true));
        } else {
          const conv = out.node('Conv', inputs, attributes, `${name}/conv`);
          tensorOf.set(name, out.node(activationOp(layer, activation), [conv], {}, name, true));
        }
        break;
      }
      case 'BatchNormalization': {
        const { scale, shift } = batchNormAffine(layer, weights);
        const channels = scale.length;
        const scaled = out.node(
          'Mul',
          [
            inputTensor(layer),
            out.constant(`${layer.name}/scale`, floatTensor([channels, 1, 1], Float32Array.from(scale))),
          ],
          {},
          `${layer.name}/mul`,
        );
        tensorOf.set(
          layer.name,
          out.node(
            'Add',
            [scaled, out.constant(`${layer.name}/shift`, floatTensor([channels, 1, 1], Float32Array.from(shift)))],
            {},
            layer.name,
            true,
          ),
        );
        break;
      }
      case 'Activation':
        tensorOf.set(
          layer.name,
          out.node(activationOp(layer, c.string('activation')), [inputTensor(layer)], {}, layer.name, true),
        );
        break;
      case 'ReLU': {
        if (c.number('negative_slope', 0) !== 0 || c.number('threshold', 0) !== 0)
          throw c.error('negative_slope and threshold must be 0');
        const x = inputTensor(layer);
        tensorOf.set(
          layer.name,
          c.has('max_value')
            ? out.node(
                'Clip',
                [x, out.scalar(`${layer.name}/min`, 0), out.scalar(`${layer.name}/max`, c.number('max_value'))],
                {},
                layer.name,
                true,
              )
            : out.node('Relu', [x], {}, layer.name, true),
        );
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const window = windowOf(layer);
        const isMax = layer.className === 'MaxPooling2D';
        const attributes: Record<string, Attribute> = {
          kernel_shape: ints(window.kernel),
          strides: ints(window.strides),
          ...paddingAttributes(onnxPadding(window)),
          // TensorFlow averages over the real pixels only, never the 'same' padding.
          ...(isMax ? {} : { count_include_pad: int(0) }),
        };
        tensorOf.set(
          layer.name,
          out.node(isMax ? 'MaxPool' : 'AveragePool', [inputTensor(layer)], attributes, layer.name, true),
        );
        break;
      }
      case 'Concatenate': {
        const axis = NCHW_AXIS[concatAxis(layer, 3)]!;
        tensorOf.set(
          layer.name,
          out.node(
            'Concat',
            layer.inputs.map((_, i) => inputTensor(layer, i)),
            { axis: int(axis) },
            layer.name,
            true,
          ),
        );
        break;
      }
      case 'Add': {
        // A chain of two-input Adds: ORT fuses those into the producing Conv (an n-ary Sum it does not).
        let sum = inputTensor(layer, 0);
        for (let i = 1; i < layer.inputs.length; i++) {
          const last = i === layer.inputs.length - 1;
          sum = out.node('Add', [sum, inputTensor(layer, i)], {}, last ? layer.name : `${layer.name}/partial`, last);
        }
        tensorOf.set(layer.name, sum);
        break;
      }
      default:
        throw c.error('layer type is not supported by the Keras converter');
    }
  }

  const lastShape = shapes.get(options.lastLayer)!;
  if (lastShape.length !== 3) throw new Error(`Keras layer ${options.lastLayer}: output is not an image-shaped tensor`);
  graph.outputs.push({
    name: tensorOf.get(options.lastLayer)!,
    dataType: 'float32',
    shape: [1, lastShape[2]!, '', ''],
  });
  const model: Model = {
    graph,
    opsetVersion: DEFAULT_OPSET,
    irVersion: DEFAULT_IR_VERSION,
    producerName: 'inceptionism-keras-converter',
    metadata: {
      preprocessing: 'image: RGB 0..255, NCHW; the graph applies x/127.5 - 1',
      [ABSENT_LAYERS_KEY]: JSON.stringify(Object.fromEntries(absent)),
    },
  };
  return { model, layers, absent };
}

/** The `absent` map of a converted model, read back from its metadata (e.g. after a cache load). */
export function absentLayers(model: Model): Map<string, string> {
  const json = model.metadata[ABSENT_LAYERS_KEY];
  return new Map(json ? Object.entries(JSON.parse(json) as Record<string, string>) : []);
}

/** Node and constant creation with exact output names for Keras layers. */
class GraphWriter {
  constructor(private readonly builder: GraphBuilder) {}

  /** Adds a node; with `exact`, its output is named `name` (a Keras layer name), else a fresh name from it. */
  node(opType: string, inputs: string[], attributes: Record<string, Attribute>, name: string, exact = false): string {
    const output = this.builder.fresh(name);
    if (exact && output !== name) throw new Error(`Keras converter: tensor name ${name} is already taken`);
    this.builder.graph.nodes.push({
      opType,
      name: this.builder.fresh(`${name}/${opType}`),
      inputs,
      outputs: [output],
      attributes,
    });
    return output;
  }

  constant(name: string, tensor: Tensor): string {
    return this.builder.constant(name, tensor);
  }

  scalar(name: string, value: number): string {
    return this.builder.constant(name, floatTensor([], [value]));
  }
}

function paddingAttributes(padding: OnnxPadding): Record<string, Attribute> {
  return 'pads' in padding ? { pads: ints(onnxPadsOrder(padding.pads)) } : { auto_pad: str(padding.autoPad) };
}

function activationOp(layer: KerasLayer, activation: string): string {
  const op = ACTIVATIONS[activation];
  if (!op)
    throw layer.config.error(
      `activation ${activation} is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`,
    );
  return op;
}

interface ConvWeights {
  /** ONNX layout [out, in/group, kh, kw]. */
  kernel: Tensor;
  bias?: Tensor;
}

/** Reads a Conv2D (HWIO) or DepthwiseConv2D (HW, in, multiplier) kernel into ONNX layout. */
function convWeights(layer: KerasLayer, weights: KerasWeights, inChannels: number): ConvWeights {
  const c = layer.config;
  const depthwise = layer.className === 'DepthwiseConv2D';
  const keras = weights.get(`${layer.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`);
  const [kh, kw] = c.pair('kernel_size');
  const expected = [kh, kw, inChannels, depthwise ? c.number('depth_multiplier', 1) : c.number('filters')];
  if (keras.dims.join() !== expected.join())
    throw c.error(`kernel has shape ${JSON.stringify(keras.dims)}, expected ${JSON.stringify(expected)}`);
  // Depthwise output channel c*multiplier + m is ONNX group c's m-th output: the same transpose works.
  const outChannels = inChannels * expected[3]!;
  const perGroupIn = depthwise ? 1 : inChannels;
  const src = keras.data as Float32Array;
  const dst = new Float32Array(src.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < inChannels; i++) {
        const row = ((y * kw + x) * inChannels + i) * expected[3]!;
        for (let m = 0; m < expected[3]!; m++) {
          const [o, gi] = depthwise ? [i * expected[3]! + m, 0] : [m, i];
          dst[((o * perGroupIn + gi) * kh + y) * kw + x] = src[row + m]!;
        }
      }
    }
  }
  const kernel = floatTensor([depthwise ? outChannels : expected[3]!, perGroupIn, kh, kw], dst);
  if (!c.boolean('use_bias', true)) return { kernel };
  const bias = weights.get(`${layer.name}/bias`);
  if (bias.data.length !== kernel.dims[0])
    throw c.error(`bias has ${bias.data.length} values for ${kernel.dims[0]} channels`);
  return { kernel, bias };
}

/** Inference BatchNormalization as y = scale*x + shift per channel (float64 maths). */
function batchNormAffine(layer: KerasLayer, weights: KerasWeights): { scale: Float64Array; shift: Float64Array } {
  const c = layer.config;
  const axis = c.number('axis', -1);
  if (axis !== -1 && axis !== 3) throw c.error(`axis ${axis} is not the channel axis`);
  const read = (what: string) => weights.get(`${layer.name}/${what}`).data as Float32Array;
  const mean = read('moving_mean');
  const variance = read('moving_variance');
  const gamma = c.boolean('scale', true) ? read('gamma') : undefined;
  const beta = c.boolean('center', true) ? read('beta') : undefined;
  const epsilon = c.number('epsilon', 1e-3);
  const channels = mean.length;
  if ([variance, gamma, beta].some((v) => v && v.length !== channels))
    throw c.error('gamma, beta, mean and variance differ in length');
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let i = 0; i < channels; i++) {
    scale[i] = (gamma?.[i] ?? 1) / Math.sqrt(variance[i]! + epsilon);
    shift[i] = (beta?.[i] ?? 0) - mean[i]! * scale[i]!;
  }
  return { scale, shift };
}

/** Folds a BatchNormalization into the preceding convolution's kernel and bias. */
function foldBatchNorm(
  bn: KerasLayer,
  weights: KerasWeights,
  kernel: Tensor,
  bias: Tensor | undefined,
): Required<ConvWeights> {
  const { scale, shift } = batchNormAffine(bn, weights);
  const outChannels = kernel.dims[0]!;
  if (scale.length !== outChannels)
    throw bn.config.error(`has ${scale.length} channels, its convolution ${outChannels}`);
  const perChannel = kernel.data.length / outChannels;
  const w = kernel.data as Float32Array;
  const folded = new Float32Array(w.length);
  const newBias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    for (let k = o * perChannel; k < (o + 1) * perChannel; k++) folded[k] = w[k]! * scale[o]!;
    newBias[o] = (bias ? (bias.data as Float32Array)[o]! : 0) * scale[o]! + shift[o]!;
  }
  return { kernel: floatTensor(kernel.dims, folded), bias: floatTensor([outChannels], newBias) };
}
