import { END_OF_TEXT_ID, encodeBytes } from '../../src/generation/byte-level.vocabulary';
import { PackedRowStream, packRows } from '../../src/training/training-batch.packer';

const docs = Array.from({ length: 60 }, (_, i) => encodeBytes(`document ${i}: ${'x'.repeat((i * 7) % 23)}`));

/** The documents of an epoch's rows, split at end-of-text tokens. */
function documentsIn(rows: Uint16Array[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    expect(r[0]).toBe(END_OF_TEXT_ID);
    expect(r[r.length - 1]).toBe(END_OF_TEXT_ID);
    let cur: number[] = [];
    for (const t of r.subarray(1)) {
      if (t === END_OF_TEXT_ID) {
        out.push(Buffer.from(cur).toString());
        cur = [];
      } else cur.push(t);
    }
  }
  return out;
}

describe('PackedRowStream', () => {
  it('serves every document exactly once per epoch, whole, in rows of at most seqLen tokens', () => {
    const s = new PackedRowStream(docs, 64, 7);
    for (const epoch of [0, 1]) {
      const rows = s.rowsOf(epoch);
      rows.forEach((r) => expect(r.length).toBeLessThanOrEqual(64));
      expect(documentsIn(rows).sort()).toEqual(docs.map((d) => Buffer.from(d).toString()).sort());
    }
    // first-fit packing fills rows well: total tokens / (rows × T)
    const rows = s.rowsOf(0);
    const fill = rows.reduce((a, r) => a + r.length, 0) / (rows.length * 64);
    expect(fill).toBeGreaterThan(0.8);
  });

  it('is a pure function of (seed, epoch): same seed same rows, other seed or epoch another order', () => {
    const a = new PackedRowStream(docs, 64, 7).rowsOf(0).map((r) => Array.from(r));
    const b = new PackedRowStream(docs, 64, 7).rowsOf(0).map((r) => Array.from(r));
    const c = new PackedRowStream(docs, 64, 8).rowsOf(0).map((r) => Array.from(r));
    const d = new PackedRowStream(docs, 64, 7).rowsOf(1).map((r) => Array.from(r));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(d).not.toEqual(a);
  });

  it('cuts documents longer than the row into pieces', () => {
    const s = new PackedRowStream([encodeBytes('y'.repeat(100))], 32, 1);
    const rows = s.rowsOf(0);
    expect(rows.every((r) => r.length <= 32)).toBe(true);
    expect(documentsIn(rows).join('')).toBe('y'.repeat(100));
  });

  it('continues across epochs from a cursor: two batches of 3 rows equal one batch of 6', () => {
    const s = new PackedRowStream(docs, 64, 3);
    const n = s.rowCount(0);
    const start = { epoch: 0, row: n - 2 };
    const one = s.next(start, 3);
    const two = s.next(one.cursor, 3);
    const six = s.next(start, 6);
    expect(two.cursor).toEqual(six.cursor);
    expect(six.cursor).toEqual({ epoch: 1, row: 4 });
    const T = 64;
    expect(Array.from(six.batch.inputIds.slice(0, 3 * T))).toEqual(Array.from(one.batch.inputIds));
    expect(Array.from(six.batch.inputIds.slice(3 * T))).toEqual(Array.from(two.batch.inputIds));
  });
});

describe('packRows', () => {
  it('shifts targets by one, masks padding, and scores every real next token', () => {
    const b = packRows(
      [
        [256, 65, 66, 256],
        [256, 67],
      ],
      5,
    );
    expect(Array.from(b.inputIds).map(Number)).toEqual([256, 65, 66, 256, 0, 256, 67, 0, 0, 0]);
    expect(Array.from(b.targets).map(Number)).toEqual([65, 66, 256, 0, 0, 67, 0, 0, 0, 0]);
    expect(Array.from(b.lossMask)).toEqual([1, 1, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 1, 1, 0, 1, 1, 0, 0, 0]);
    expect(b.scored).toBe(4);
    expect(b.tokens).toBe(6);
  });
});
