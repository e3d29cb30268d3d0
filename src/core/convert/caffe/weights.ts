/**
 * Reads the learned blobs of each layer from a binary .caffemodel (a NetParameter protobuf),
 * keyed by layer name. Both the current `layer` and the deprecated V1 `layers` lists are read.
 */
import protobuf from 'protobufjs';
import { assertLittleEndian } from '../../onnx/endianness.js';
import { CAFFE_SCHEMA } from './caffe-schema.js';

export interface Blob {
  dims: number[];
  data: Float32Array;
}

type Int64 = number | protobuf.Long;
interface BlobProto {
  shape?: { dim: Int64[] };
  data?: Uint8Array;
  double_data?: Uint8Array;
  num?: Int64;
  channels?: Int64;
  height?: Int64;
  width?: Int64;
}
interface LayerProto {
  name?: string;
  blobs: BlobProto[];
}
interface NetProto {
  layer: LayerProto[];
  layers: LayerProto[];
}

let netType: protobuf.Type | undefined;

function caffeNetType(): protobuf.Type {
  if (!netType) {
    netType = protobuf.Root.fromJSON(CAFFE_SCHEMA).lookupType('caffe.NetParameter');
  }
  return netType;
}

const toNumber = (v: Int64 | undefined): number =>
  v === undefined ? 0 : typeof v === 'number' ? v : v.high * 2 ** 32 + (v.low >>> 0);

function decodeBlob(b: BlobProto, what: string): Blob {
  let data: Float32Array;
  if (b.data && b.data.length > 0) {
    if (b.data.length % 4 !== 0) throw new Error(`${what}: float data has ${b.data.length} bytes, not a multiple of 4`);
    // Copy into an aligned buffer: the decoder returns a view into the file bytes.
    data = new Float32Array(new Uint8Array(b.data).buffer);
  } else if (b.double_data && b.double_data.length > 0) {
    if (b.double_data.length % 8 !== 0) throw new Error(`${what}: double data has ${b.double_data.length} bytes`);
    data = Float32Array.from(new Float64Array(new Uint8Array(b.double_data).buffer));
  } else {
    data = new Float32Array(0);
  }
  let dims = b.shape ? b.shape.dim.map(toNumber) : [b.num, b.channels, b.height, b.width].map(toNumber);
  // Legacy blobs pad leading dimensions with 1 (a bias is 1x1x1xN); an all-zero legacy shape
  // means "unspecified", so the data length stands in.
  if (!b.shape && dims.every((d) => d === 0)) dims = [data.length];
  const count = dims.reduce((a, c) => a * c, 1);
  if (count !== data.length) {
    throw new Error(`${what}: shape ${JSON.stringify(dims)} needs ${count} values but the file holds ${data.length}`);
  }
  return { dims, data };
}

/** Blobs of every layer that has any, by layer name. */
export function readCaffeWeights(bytes: Uint8Array): Map<string, Blob[]> {
  assertLittleEndian('caffemodel reader');
  let net: NetProto;
  try {
    net = caffeNetType().decode(bytes) as unknown as NetProto;
  } catch (err) {
    throw new Error(
      `not a Caffe .caffemodel file (${(err as Error).message}); pass the binary weights, not the prototxt`,
    );
  }
  const weights = new Map<string, Blob[]>();
  for (const layer of [...net.layers, ...net.layer]) {
    if (!layer.name || layer.blobs.length === 0) continue;
    weights.set(
      layer.name,
      layer.blobs.map((b, i) => decodeBlob(b, `caffemodel layer ${layer.name} blob ${i}`)),
    );
  }
  if (weights.size === 0) throw new Error('not a Caffe .caffemodel file: it holds no layer weights');
  return weights;
}
