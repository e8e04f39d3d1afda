import { END_OF_TEXT_ID } from '../generation/byte-level.vocabulary';
import { Mulberry32, deriveSeed } from '../math/seeded-random';

/** Where the data stream stands: row `row` of epoch `epoch` is the next one to be served. */
export interface DataCursor {
  epoch: number;
  row: number;
}

/** One training batch, right-padded, in the engine's feed layout. */
export interface TrainingBatch {
  batch: number;
  seqLen: number;
  /** int64 [B,T]: token ids (padding 0). */
  inputIds: BigInt64Array;
  /** [B,T]: 1 for real tokens. */
  attentionMask: Float32Array;
  /** int64 [B,T]: targets[b,j] = ids[b,j+1]. */
  targets: BigInt64Array;
  /** [B,T]: 1 where targets[b,j] is a real next token. */
  lossMask: Float32Array;
  /** Number of scored targets Σ lossMask. */
  scored: number;
  /** Number of real tokens Σ attentionMask. */
  tokens: number;
}

/** Rows kept open for first-fit packing. */
const OPEN_ROWS = 16;

/**
 * Packs a corpus into rows of at most `seqLen` tokens, re-shuffled every epoch, deterministic for
 * a seed. Epoch e permutes the documents with a stream seeded by (seed, "data/e"), then fills rows
 * first-fit over up to 16 open rows (a row is closed when full or when it is the oldest of 16 and
 * no open row fits the next document): each row is `<eot> d₁ <eot> d₂ <eot> …` with whole
 * documents (a document longer than seqLen − 2 tokens is cut into pieces; empty ones skipped), so every document is predicted after an end-of-text
 * token as a prompt is at generation time. Rows run on across epochs: batch k is rows
 * k·B … k·B + B − 1 of the stream, so the data order is a pure function of (seed, cursor).
 */
export class PackedRowStream {
  private cachedEpoch = -1;
  private cachedRows: Uint16Array[] = [];

  constructor(
    private readonly docs: readonly Uint8Array[],
    readonly seqLen: number,
    private readonly seed: number,
  ) {
    if (docs.length === 0) throw new Error('cannot pack an empty corpus');
    if (seqLen < 4) throw new Error('seqLen must be at least 4');
  }

  /** The packed rows of epoch `e` (cached for the current epoch). */
  rowsOf(epoch: number): Uint16Array[] {
    if (epoch === this.cachedEpoch) return this.cachedRows;
    const order = new Mulberry32(deriveSeed(this.seed, `data/${epoch}`)).permutation(this.docs.length);
    const T = this.seqLen;
    const rows: Uint16Array[] = [];
    const open: number[][] = [];
    const close = (k: number) => {
      const r = open.splice(k, 1)[0]!;
      if (r.length > 1) rows.push(Uint16Array.from(r));
    };
    const place = (piece: Uint8Array) => {
      let k = open.findIndex((r) => r.length + piece.length + 1 <= T);
      if (k < 0) {
        if (open.length >= OPEN_ROWS) close(0);
        open.push([END_OF_TEXT_ID]);
        k = open.length - 1;
      }
      const r = open[k]!;
      for (const b of piece) r.push(b);
      r.push(END_OF_TEXT_ID);
      if (r.length >= T - 1) close(k);
    };
    for (const i of order) {
      const doc = this.docs[i]!;
      if (doc.length === 0) continue;
      for (let start = 0; start < doc.length; start += T - 2) place(doc.subarray(start, start + T - 2));
    }
    while (open.length) close(0);
    this.cachedEpoch = epoch;
    this.cachedRows = rows;
    return rows;
  }

  /** Number of rows in epoch `e`. */
  rowCount(epoch = 0): number {
    return this.rowsOf(epoch).length;
  }

  /** The next `B` rows from `cursor` as a batch, and the cursor after them. */
  next(cursor: DataCursor, B: number): { batch: TrainingBatch; cursor: DataCursor } {
    const rows: Uint16Array[] = [];
    let { epoch, row } = cursor;
    while (rows.length < B) {
      const all = this.rowsOf(epoch);
      if (row >= all.length) {
        epoch += 1;
        row = 0;
        continue;
      }
      rows.push(all[row]!);
      row += 1;
    }
    return { batch: packRows(rows, this.seqLen), cursor: { epoch, row } };
  }
}

/** Right-pads token rows into a {@link TrainingBatch} of length `seqLen`. */
export function packRows(rows: readonly ArrayLike<number>[], seqLen: number): TrainingBatch {
  const B = rows.length;
  const T = seqLen;
  const inputIds = new BigInt64Array(B * T);
  const attentionMask = new Float32Array(B * T);
  const targets = new BigInt64Array(B * T);
  const lossMask = new Float32Array(B * T);
  let scored = 0;
  let tokens = 0;
  rows.forEach((r, b) => {
    if (r.length > T) throw new Error(`row of ${r.length} tokens exceeds ${T}`);
    for (let j = 0; j < r.length; j++) {
      inputIds[b * T + j] = BigInt(r[j]!);
      attentionMask[b * T + j] = 1;
      tokens += 1;
      if (j + 1 < r.length) {
        targets[b * T + j] = BigInt(r[j + 1]!);
        lossMask[b * T + j] = 1;
        scored += 1;
      }
    }
  });
  return { batch: B, seqLen: T, inputIds, attentionMask, targets, lossMask, scored, tokens };
}
