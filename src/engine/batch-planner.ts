import { PackedBatch, ScoredSequence, SequenceWindow, packWindows, splitIntoWindows } from './sequence-windows';

/**
 * Splits sequences into windows of ≤ `context` tokens and packs them into batches of one fixed
 * shape [batchSize, seqLen] (seqLen = min(context, longest window)), so that every batch hits the
 * same compiled session. The last batch is filled with empty rows (attention mask 0, loss mask 0),
 * which contribute nothing to any head.
 */
export function planBatches(sequences: readonly ScoredSequence[], context: number, batchSize: number): PackedBatch[] {
  const windows: SequenceWindow[] = sequences.flatMap((s, i) => splitIntoWindows(s, context, i));
  const seqLen = Math.max(2, ...windows.map((w) => w.tokens.length));
  const out: PackedBatch[] = [];
  for (let k = 0; k < windows.length; k += batchSize) {
    const chunk = windows.slice(k, k + batchSize);
    const packed = packWindows(chunk, seqLen);
    out.push(chunk.length === batchSize ? packed : padRows(packed, batchSize));
  }
  return out;
}

/** Appends empty rows (no tokens) up to `batch` rows; `windows` keeps only the real ones. */
function padRows(p: PackedBatch, batch: number): PackedBatch {
  const n = batch * p.seqLen;
  const grow = <T extends BigInt64Array | Float64Array>(a: T, make: (n: number) => T): T => {
    const x = make(n);
    x.set(a as never);
    return x;
  };
  return {
    ...p,
    batch,
    inputIds: grow(p.inputIds, (m) => new BigInt64Array(m)),
    attentionMask: grow(p.attentionMask, (m) => new Float64Array(m)),
    targets: grow(p.targets, (m) => new BigInt64Array(m)),
    lossMask: grow(p.lossMask, (m) => new Float64Array(m)),
  };
}
