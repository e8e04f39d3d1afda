/** Element types of the safetensors format that Tracebase reads. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'U8' | 'BOOL' | 'I8' | 'I16' | 'U16';

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  I64: 8,
  I32: 4,
  U8: 1,
  BOOL: 1,
  I8: 1,
  I16: 2,
  U16: 2,
};

/** One entry of a safetensors header: dtype, shape and byte range within the data section. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  dataOffsets: [number, number];
}
