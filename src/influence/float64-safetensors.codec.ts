import { Matrix, matrix } from '../math/dense-matrix';
import { FactorFileError } from './influence.errors';

/**
 * Serialises float64 matrices as a safetensors file (dtype F64, little-endian, shape
 * [rows, cols]), tensors in the given order, header padded to a multiple of 8 bytes. The
 * model package's writer is float32-only; factors keep float64 (eigenvectors of covariances
 * whose eigenvalues span many decades).
 */
export function encodeFloat64Safetensors(tensors: ReadonlyArray<[string, Matrix]>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: 'F64', shape: [t.rows, t.cols], data_offsets: [offset, offset + 8 * t.data.length] };
    offset += 8 * t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const hb = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + hb.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let pos = 8 + hb.length;
  for (const [, t] of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat64(pos + 8 * i, t.data[i]!, true);
    pos += 8 * t.data.length;
  }
  return out;
}

/** Parses a file written by {@link encodeFloat64Safetensors}: name → rows×cols matrix. Errors name `file` and the tensor. */
export function decodeFloat64Safetensors(bytes: Uint8Array, file: string): Map<string, Matrix> {
  if (bytes.byteLength < 8) throw new FactorFileError(`${file}: too short to be a safetensors file`, { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = Number(view.getBigUint64(0, true));
  if (len > bytes.byteLength - 8) throw new FactorFileError(`${file}: header length ${len} exceeds the file size`, { file });
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, len).toString('utf8'));
  } catch (e) {
    throw new FactorFileError(`${file}: header is not valid JSON (${(e as Error).message})`, { file });
  }
  const start = 8 + len;
  const out = new Map<string, Matrix>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [rows, cols] = e.shape ?? [];
    if (e.dtype !== 'F64' || e.shape?.length !== 2 || !Number.isInteger(rows) || !Number.isInteger(cols)) {
      throw new FactorFileError(`${file}: tensor ${name} must be a 2-D F64 tensor, got ${e.dtype} [${e.shape}]`, { file, tensor: name });
    }
    const [a, b] = e.data_offsets;
    if (b - a !== 8 * rows! * cols! || start + b > bytes.byteLength)
      throw new FactorFileError(`${file}: tensor ${name} data_offsets do not match its shape or the file size`, { file, tensor: name });
    const data = new Float64Array(rows! * cols!);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(start + a + 8 * i, true);
    out.set(name, matrix(rows!, cols!, data));
  }
  return out;
}
