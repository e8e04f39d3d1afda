/** Element types Tracebase graphs use, with their ONNX `TensorProto.DataType` codes. */
export type DType = 'float32' | 'float64' | 'int64' | 'bool';

export const ONNX_DTYPE_CODE: Record<DType, number> = { float32: 1, float64: 11, int64: 7, bool: 9 };

/** A tensor value of a graph: unique name, element type and static shape. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** A node attribute: ints/floats/strings, lists of them, or a tensor. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'tensor'; dtype: DType; shape: number[]; data: TensorData };

/** One operator application; `inputs` may contain `null` for an omitted optional input. */
export interface GraphNode {
  readonly op: string;
  readonly inputs: ReadonlyArray<Value | null>;
  readonly outputs: ReadonlyArray<Value>;
  readonly attrs: Readonly<Record<string, Attribute>>;
}

/** Typed array backing a tensor of the given dtype. */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Uint8Array;

/** An initializer: a constant tensor stored in the model. */
export interface Initializer {
  readonly value: Value;
  readonly data: TensorData;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
