import { ModelLoadError } from './model-load.error';
import { SAFETENSORS_DTYPE_BYTES, SafetensorsDtype, SafetensorsEntry } from './safetensors.format';

/** A tensor decoded to float32: `data.length === product(shape)`, row-major. */
export interface Float32Tensor {
  shape: number[];
  data: Float32Array;
}

/** Converts IEEE half-precision bits to a float. */
function halfToFloat(h: number): number {
  const s = (h & 0x8000) >> 15;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  let v: number;
  if (e === 0) v = f * 2 ** -24;
  else if (e === 0x1f) v = f ? NaN : Infinity;
  else v = (1 + f / 1024) * 2 ** (e - 15);
  return s ? -v : v;
}

/**
 * A parsed safetensors file (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header mapping names to {dtype, shape, data_offsets},
 * then the raw little-endian data. Floating tensors (F32, F16, BF16, F64) decode to float32.
 */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    private readonly bytes: Uint8Array,
    private readonly dataStart: number,
    readonly entries: ReadonlyMap<string, SafetensorsEntry>,
    readonly metadata: Record<string, string>,
  ) {}

  /** Parses `bytes` (the whole file); `file` is used in error messages. */
  static parse(bytes: Uint8Array, file = 'model.safetensors'): SafetensorsFile {
    if (bytes.byteLength < 8) throw new ModelLoadError(`${file}: too short to be a safetensors file`, { file });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLen = Number(view.getBigUint64(0, true));
    if (headerLen > bytes.byteLength - 8 || headerLen > 100_000_000) {
      throw new ModelLoadError(`${file}: header length ${headerLen} exceeds the file size`, { file });
    }
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLen).toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ModelLoadError(`${file}: header is not valid JSON (${(e as Error).message})`, { file });
    }
    const dataStart = 8 + headerLen;
    const dataLen = bytes.byteLength - dataStart;
    const entries = new Map<string, SafetensorsEntry>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') {
        metadata = (raw ?? {}) as Record<string, string>;
        continue;
      }
      const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const dtype = r.dtype as SafetensorsDtype;
      if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_BYTES)) {
        throw new ModelLoadError(`${file}: tensor ${name} has unsupported dtype ${String(r.dtype)}`, { file, tensor: name });
      }
      const shape = r.shape as number[];
      const offs = r.data_offsets as [number, number];
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(offs) || offs.length !== 2) {
        throw new ModelLoadError(`${file}: tensor ${name} has a malformed shape or data_offsets`, { file, tensor: name });
      }
      const n = shape.reduce((a, b) => a * b, 1);
      if (offs[1] - offs[0] !== n * SAFETENSORS_DTYPE_BYTES[dtype] || offs[0] < 0 || offs[1] > dataLen) {
        throw new ModelLoadError(`${file}: tensor ${name} data_offsets [${offs}] do not match shape [${shape}] of ${dtype} or the file size`, {
          file,
          tensor: name,
        });
      }
      entries.set(name, { dtype, shape: [...shape], dataOffsets: [offs[0], offs[1]] });
    }
    return new SafetensorsFile(file, bytes, dataStart, entries, metadata);
  }

  /** Names of all tensors, in header order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The header entry of `name`, or undefined. */
  entry(name: string): SafetensorsEntry | undefined {
    return this.entries.get(name);
  }

  /** Decodes tensor `name` (F32/F16/BF16/F64) to float32. */
  readFloat32(name: string): Float32Tensor {
    const e = this.entries.get(name);
    if (!e) throw new ModelLoadError(`${this.file}: tensor ${name} not found`, { file: this.file, tensor: name });
    const n = e.shape.reduce((a, b) => a * b, 1);
    const start = this.bytes.byteOffset + this.dataStart + e.dataOffsets[0];
    const view = new DataView(this.bytes.buffer, start, e.dataOffsets[1] - e.dataOffsets[0]);
    const out = new Float32Array(n);
    switch (e.dtype) {
      case 'F32':
        if (start % 4 === 0) out.set(new Float32Array(this.bytes.buffer, start, n));
        else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
        break;
      case 'F64':
        for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
        break;
      case 'F16':
        for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
        break;
      case 'BF16': {
        const u = new Uint32Array(out.buffer);
        for (let i = 0; i < n; i++) u[i] = view.getUint16(2 * i, true) << 16;
        break;
      }
      default:
        throw new ModelLoadError(`${this.file}: tensor ${name} has dtype ${e.dtype}; expected F32, F16 or BF16`, { file: this.file, tensor: name });
    }
    return { shape: [...e.shape], data: out };
  }
}
