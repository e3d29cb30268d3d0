/**
 * Converts between the in-memory IR (ir.ts) and ONNX protobuf bytes, using the ONNX schema
 * (onnx-schema.ts) through protobufjs.
 */
import protobuf from 'protobufjs';
import { BYTES_PER_ELEMENT, dataTypeOfOnnxCode, ONNX_CODE_OF } from './data-types.js';
import { assertLittleEndian } from './endianness.js';
import type { Attribute, DataType, Dim, Graph, Model, Node, Tensor, TensorData, ValueInfo } from './ir.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

// AttributeProto.AttributeType codes from onnx.proto.
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
const ATTR_NAMES: Record<number, string> = {
  5: 'GRAPH',
  9: 'TENSORS',
  10: 'GRAPHS',
  11: 'SPARSE_TENSOR',
  12: 'SPARSE_TENSORS',
  13: 'TYPE_PROTO',
  14: 'TYPE_PROTOS',
};
const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);
const CODEC = 'ONNX codec';
const EXTERNAL_LOCATION = 1;

/** Protobuf int64 values arrive as numbers or Long objects depending on magnitude and runtime. */
type Int64 = number | protobuf.Long;

// Shapes of the decoded protobufjs messages we read (keepCase: field names as in onnx.proto).
/** `value` is protobufjs' virtual oneof field: the name of the member that is set. */
interface DimensionProto {
  value?: 'dim_value' | 'dim_param';
  dim_value: Int64;
  dim_param: string;
}
interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type: number; shape?: { dim: DimensionProto[] } } };
}
interface TensorProto {
  name: string;
  dims: Int64[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data: number[];
  double_data: number[];
  int32_data: number[];
  int64_data: Int64[];
  external_data: unknown[];
  data_location?: number;
}
interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
}
interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute: AttributeProto[];
}
interface GraphProto {
  name?: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
}
interface ModelProto {
  ir_version?: Int64;
  producer_name?: string;
  graph?: GraphProto;
  opset_import: { domain?: string; version?: Int64 }[];
  metadata_props: { key?: string; value?: string }[];
}

interface OnnxTypes {
  model: protobuf.Type;
  graph: protobuf.Type;
  tensor: protobuf.Type;
}
let onnxTypes: OnnxTypes | undefined;

/** The protobuf message types, built from the schema on first use. */
function types(): OnnxTypes {
  if (!onnxTypes) {
    const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
    onnxTypes = {
      model: root.lookupType('onnx.ModelProto'),
      graph: root.lookupType('onnx.GraphProto'),
      tensor: root.lookupType('onnx.TensorProto'),
    };
  }
  return onnxTypes;
}

const toNumber = (v: Int64 | undefined): number =>
  v === undefined ? 0 : typeof v === 'number' ? v : v.high * 2 ** 32 + (v.low >>> 0);
const toBigInt = (v: Int64): bigint =>
  typeof v === 'number' ? BigInt(v) : (BigInt(v.high) << 32n) + BigInt(v.low >>> 0);
const INT64_MAX: protobuf.Long = { low: -1, high: 0x7fffffff, unsigned: false };
/** int64 for the writer, saturated so that INT64_MAX sentinels (e.g. Slice ends = 2^63-1 read back as 2^63) survive. */
const toLong = (v: number): Int64 => (v >= 2 ** 63 ? INT64_MAX : v);
const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

// ---------------------------------------------------------------- decoding

/** A serialized TensorProto (as ONNX's test data sets store inputs and outputs) and its name. */
export function decodeTensor(bytes: Uint8Array): { name: string; tensor: Tensor } {
  let proto: TensorProto;
  try {
    proto = types().tensor.decode(bytes) as unknown as TensorProto;
  } catch (err) {
    throw new Error(`not an ONNX tensor: ${(err as Error).message}`);
  }
  assertLittleEndian(CODEC);
  return { name: proto.name, tensor: decodeTensorProto(proto) };
}

export function decodeModel(bytes: Uint8Array): Model {
  let proto: ModelProto;
  try {
    proto = types().model.decode(bytes) as unknown as ModelProto;
  } catch (err) {
    throw new Error(`not an ONNX model: ${(err as Error).message}`);
  }
  if (!proto.graph) throw new Error('not an ONNX model: it has no graph');
  const defaultOpset = proto.opset_import.find((o) => DEFAULT_DOMAINS.has(o.domain ?? ''));
  if (!defaultOpset) throw new Error('not an ONNX model: it imports no default-domain opset');
  assertLittleEndian(CODEC);
  const metadata: Record<string, string> = {};
  for (const { key, value } of proto.metadata_props) metadata[key ?? ''] = value ?? '';
  return {
    graph: decodeGraph(proto.graph),
    opsetVersion: toNumber(defaultOpset.version),
    irVersion: toNumber(proto.ir_version),
    producerName: proto.producer_name ?? '',
    metadata,
  };
}

function decodeGraph(g: GraphProto): Graph {
  const initializers = new Map<string, Tensor>(g.initializer.map((t) => [t.name, decodeTensorProto(t)]));
  const valueInfo = new Map<string, ValueInfo>();
  for (const vi of g.value_info) {
    if (vi.type?.tensor_type?.shape) valueInfo.set(vi.name, decodeValueInfo(vi));
  }
  return {
    name: g.name ?? '',
    nodes: g.node.map((n, i) => decodeNode(n, i)),
    // Old exporters also list initializers as graph inputs; here inputs are only what callers feed.
    inputs: g.input.filter((vi) => !initializers.has(vi.name)).map(decodeValueInfo),
    outputs: g.output.map(decodeValueInfo),
    initializers,
    valueInfo,
  };
}

function decodeValueInfo(vi: ValueInfoProto): ValueInfo {
  const tensorType = vi.type?.tensor_type;
  if (!tensorType) throw new Error(`value ${vi.name}: only tensor types are supported`);
  if (!tensorType.shape) throw new Error(`value ${vi.name}: its shape (rank) is unknown`);
  // A dimension with neither a value nor a name is unknown; the IR spells that ''.
  const shape: Dim[] = tensorType.shape.dim.map((d) =>
    d.value === 'dim_value' ? toNumber(d.dim_value) : d.value === 'dim_param' ? d.dim_param : '',
  );
  return { name: vi.name, dataType: dataTypeOfOnnxCode(tensorType.elem_type, `value ${vi.name}`), shape };
}

function decodeTensorProto(t: TensorProto): Tensor {
  const what = `tensor ${t.name || '(unnamed)'}`;
  if (t.data_location === EXTERNAL_LOCATION || t.external_data.length > 0) {
    throw new Error(
      `${what}: external data files are not supported; save the model with all tensors inside the .onnx file`,
    );
  }
  const dataType = dataTypeOfOnnxCode(t.data_type, what);
  const dims = t.dims.map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  const data =
    t.raw_data && t.raw_data.length > 0 ? fromRawBytes(t.raw_data, dataType, count, what) : fromTypedField(t, dataType);
  if (data.length !== count)
    throw new Error(`${what}: has ${data.length} values but dims ${JSON.stringify(dims)} need ${count}`);
  return { dataType, dims, data };
}

function fromRawBytes(raw: Uint8Array, dataType: DataType, count: number, what: string): TensorData {
  if (raw.length !== count * BYTES_PER_ELEMENT[dataType]) {
    throw new Error(`${what}: raw_data has ${raw.length} bytes, expected ${count * BYTES_PER_ELEMENT[dataType]}`);
  }
  // Copy into a fresh, aligned buffer: the decoder gives a view into the (unaligned) file bytes.
  const buffer = new Uint8Array(raw).buffer;
  switch (dataType) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer);
  }
}

function fromTypedField(t: TensorProto, dataType: DataType): TensorData {
  switch (dataType) {
    case 'float32':
      return Float32Array.from(t.float_data);
    case 'float64':
      return Float64Array.from(t.double_data);
    case 'int64':
      return BigInt64Array.from(t.int64_data, toBigInt);
    case 'int32':
      return Int32Array.from(t.int32_data);
    // ONNX stores uint8 and bool elements one per int32_data entry.
    case 'uint8':
    case 'bool':
      return Uint8Array.from(t.int32_data);
  }
}

function decodeNode(n: NodeProto, index: number): Node {
  const name = n.name || `${n.op_type}_${index}`;
  const attributes: Record<string, Attribute> = {};
  for (const a of n.attribute) attributes[a.name] = decodeAttribute(a, name);
  const node: Node = { opType: n.op_type, name, inputs: [...n.input], outputs: [...n.output], attributes };
  if (n.domain) node.domain = n.domain;
  return node;
}

function decodeAttribute(a: AttributeProto, nodeName: string): Attribute {
  switch (a.type) {
    case ATTR.FLOAT:
      return { type: 'float', value: a.f ?? 0 };
    case ATTR.INT:
      return { type: 'int', value: toNumber(a.i) };
    case ATTR.STRING:
      return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case ATTR.TENSOR:
      if (!a.t) throw new Error(`node ${nodeName}: tensor attribute ${a.name} has no tensor`);
      return { type: 'tensor', value: decodeTensorProto(a.t) };
    case ATTR.FLOATS:
      return { type: 'floats', value: [...a.floats] };
    case ATTR.INTS:
      return { type: 'ints', value: a.ints.map(toNumber) };
    case ATTR.STRINGS:
      return { type: 'strings', value: a.strings.map((s) => utf8.decode(s)) };
    default:
      throw new Error(`node ${nodeName}: attribute ${a.name} has unsupported type ${ATTR_NAMES[a.type] ?? a.type}`);
  }
}

// ---------------------------------------------------------------- encoding

/**
 * Protobuf field keys (field number << 3 | wire type 2, length-delimited) of the fields that
 * encodeModel frames by hand: ModelProto.graph, GraphProto.initializer, TensorProto.raw_data.
 */
const KEY_MODEL_GRAPH = (7 << 3) | 2;
const KEY_GRAPH_INITIALIZER = (5 << 3) | 2;
const KEY_TENSOR_RAW_DATA = (9 << 3) | 2;

/**
 * ONNX protobuf bytes for `model`. Initializer bytes are framed by hand and copied once into
 * the output: going through protobufjs' growing writer costs seconds for a 100 MB model.
 * Protobuf allows fields in any order, so initializers follow the rest of the graph.
 */
export function encodeModel(model: Model): Uint8Array {
  assertLittleEndian(CODEC);
  const { model: modelType, graph: graphType, tensor: tensorType } = types();
  const { graph } = model;
  const customDomains = new Set(graph.nodes.map((n) => n.domain ?? '').filter((d) => !DEFAULT_DOMAINS.has(d)));
  const modelHead = modelType
    .encode(
      modelType.fromObject({
        ir_version: toLong(model.irVersion),
        producer_name: model.producerName,
        opset_import: [
          { domain: '', version: toLong(model.opsetVersion) },
          ...[...customDomains].map((domain) => ({ domain, version: toLong(1) })),
        ],
        metadata_props: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
      }),
    )
    .finish();
  const graphHead = graphType
    .encode(
      graphType.fromObject({
        name: graph.name,
        node: graph.nodes.map(encodeNode),
        input: encodedInputs(model).map(encodeValueInfo),
        output: graph.outputs.map(encodeValueInfo),
        value_info: [...graph.valueInfo.values()].map(encodeValueInfo),
      }),
    )
    .finish();
  const tensorParts = [...graph.initializers].flatMap(([name, t]) => {
    const head = tensorType.encode(tensorType.fromObject({ ...encodeTensor(t, name), raw_data: undefined })).finish();
    const raw = rawBytes(t);
    const rawHeader = lengthHeader(KEY_TENSOR_RAW_DATA, raw.length);
    const size = head.length + rawHeader.length + raw.length;
    return [lengthHeader(KEY_GRAPH_INITIALIZER, size), head, rawHeader, raw];
  });
  const graphParts = [graphHead, ...tensorParts];
  const graphSize = graphParts.reduce((n, p) => n + p.length, 0);
  const parts = [modelHead, lengthHeader(KEY_MODEL_GRAPH, graphSize), ...graphParts];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A length-delimited field's key and length varints. */
function lengthHeader(key: number, length: number): Uint8Array {
  return protobuf.Writer.create().uint32(key).uint32(length).finish();
}

const rawBytes = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** IR versions before 4 require every initializer to be listed among the graph inputs too. */
const IR_INITIALIZERS_OPTIONAL = 4;

/** The graph inputs as written: the fed ones, then (for IR < 4) the initializers. */
function encodedInputs({ graph, irVersion }: Model): ValueInfo[] {
  if (irVersion >= IR_INITIALIZERS_OPTIONAL) return graph.inputs;
  const fed = new Set(graph.inputs.map((i) => i.name));
  const initializers = [...graph.initializers]
    .filter(([name]) => !fed.has(name))
    .map(([name, t]): ValueInfo => ({ name, dataType: t.dataType, shape: [...t.dims] }));
  return [...graph.inputs, ...initializers];
}

function encodeValueInfo(vi: ValueInfo) {
  const dim = vi.shape.map((d) =>
    typeof d === 'number' ? { dim_value: toLong(d) } : d === '' ? {} : { dim_param: d },
  );
  return { name: vi.name, type: { tensor_type: { elem_type: ONNX_CODE_OF[vi.dataType], shape: { dim } } } };
}

function encodeTensor(t: Tensor, name: string) {
  return {
    name,
    dims: t.dims.map(toLong),
    data_type: ONNX_CODE_OF[t.dataType],
    raw_data: rawBytes(t),
  };
}

function encodeNode(n: Node) {
  return {
    name: n.name,
    op_type: n.opType,
    input: n.inputs,
    output: n.outputs,
    ...(n.domain ? { domain: n.domain } : {}),
    attribute: Object.entries(n.attributes).map(([name, a]) => encodeAttribute(name, a)),
  };
}

function encodeAttribute(name: string, a: Attribute) {
  switch (a.type) {
    case 'float':
      return { name, type: ATTR.FLOAT, f: a.value };
    case 'int':
      return { name, type: ATTR.INT, i: toLong(a.value) };
    case 'string':
      return { name, type: ATTR.STRING, s: utf8Encoder.encode(a.value) };
    case 'tensor':
      return { name, type: ATTR.TENSOR, t: encodeTensor(a.value, '') };
    case 'floats':
      return { name, type: ATTR.FLOATS, floats: a.value };
    case 'ints':
      return { name, type: ATTR.INTS, ints: a.value.map(toLong) };
    case 'strings':
      return { name, type: ATTR.STRINGS, strings: a.value.map((s) => utf8Encoder.encode(s)) };
  }
}
