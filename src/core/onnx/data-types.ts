/** The IR's tensor element types and their ONNX TensorProto.DataType codes. */
import type { DataType } from './ir.js';

export const ONNX_CODE_OF: Readonly<Record<DataType, number>> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};
const DATA_TYPE_OF = new Map<number, DataType>(Object.entries(ONNX_CODE_OF).map(([k, v]) => [v, k as DataType]));
export const BYTES_PER_ELEMENT: Readonly<Record<DataType, number>> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** The IR type for an ONNX data type code; `what` names the tensor or node in the error. */
export function dataTypeOfOnnxCode(code: number, what: string): DataType {
  const type = DATA_TYPE_OF.get(code);
  if (!type)
    throw new Error(
      `${what}: ONNX data type ${code} is not supported (float32, float64, int64, int32, uint8, bool are)`,
    );
  return type;
}

export const isIntegerType = (t: DataType): boolean => t === 'int64' || t === 'int32' || t === 'uint8';
