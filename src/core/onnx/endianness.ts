/** Whether this host stores numbers little-endian, as ONNX and Caffe files do. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Tensor bytes are copied to and from typed arrays as they are, which is right only on
 * little-endian hosts; `reader` names what refuses in the error.
 */
export function assertLittleEndian(reader: string): void {
  if (!LITTLE_ENDIAN) throw new Error(`${reader}: big-endian hosts are not supported`);
}
