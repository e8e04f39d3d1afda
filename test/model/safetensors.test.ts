import { SafetensorsFile } from '../../src/model/safetensors.reader';
import { writeSafetensors } from '../../src/model/safetensors.writer';
import { ModelLoadError } from '../../src/model/model-load.error';

/** Builds a safetensors file by hand (independent of our writer). */
function handMade(entries: { name: string; dtype: string; shape: number[]; bytes: number[] }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + off);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let p = 8 + json.length;
  for (const e of entries) for (const b of e.bytes) out[p++] = b;
  return new Uint8Array(out);
}

describe('safetensors', () => {
  it('round-trips float32 tensors and metadata through writer and reader', () => {
    const a = { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) };
    const b = { shape: [1], data: Float32Array.from([42]) };
    const bytes = writeSafetensors(
      [
        ['a', a],
        ['b.c', b],
      ],
      { format: 'pt' },
    );
    const header = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + header) % 8).toBe(0);
    const st = SafetensorsFile.parse(bytes);
    expect(st.names()).toEqual(['a', 'b.c']);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.readFloat32('a')).toEqual({ shape: [2, 3], data: a.data });
    expect(Array.from(st.readFloat32('b.c').data)).toEqual([42]);
  });

  it('decodes F16 and BF16 bit patterns', () => {
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, smallest subnormal 0x0001 = 2^-24
    // BF16: 1.0 = 0x3f80, -3.0 = 0xc040
    const st = SafetensorsFile.parse(
      handMade([
        { name: 'h', dtype: 'F16', shape: [4], bytes: [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x01, 0x00] },
        { name: 'b', dtype: 'BF16', shape: [2], bytes: [0x80, 0x3f, 0x40, 0xc0] },
      ]),
    );
    expect(Array.from(st.readFloat32('h').data)).toEqual([1, -2, 0.5, Math.fround(2 ** -24)]);
    expect(Array.from(st.readFloat32('b').data)).toEqual([1, -3]);
  });

  it('rejects inconsistent offsets and unsupported dtypes, naming the tensor', () => {
    expect(() => SafetensorsFile.parse(handMade([{ name: 'x', dtype: 'F32', shape: [2], bytes: [0, 0, 0, 0] }]), 'w.st')).toThrow(
      /w\.st: tensor x data_offsets/,
    );
    expect(() => SafetensorsFile.parse(handMade([{ name: 'y', dtype: 'Q4', shape: [1], bytes: [0] }]))).toThrow(ModelLoadError);
    const st = SafetensorsFile.parse(handMade([{ name: 'i', dtype: 'I32', shape: [1], bytes: [1, 0, 0, 0] }]));
    expect(() => st.readFloat32('i')).toThrow(/tensor i has dtype I32/);
    expect(() => st.readFloat32('nope')).toThrow(/tensor nope not found/);
  });
});
