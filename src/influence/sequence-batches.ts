import { PackedBatch, SequenceWindow, packWindows, splitIntoWindows } from '../engine/sequence-windows';
import { InvalidInputError } from '../errors/tracebase.error';
import { TokenizedSequence } from './tokenized-sequence';

/** A packed batch of windows and the sequences whose windows it holds (window.sequence indexes `sequences`). */
export interface SequenceBatch {
  readonly batch: PackedBatch;
  readonly sequences: readonly TokenizedSequence[];
  /** Real (non-padding) windows; padding windows have `sequence === -1`. */
  readonly windows: readonly SequenceWindow[];
}

/** How sequences are packed. */
export interface BatchingOptions {
  /** Context length n_positions (windows have at most this many tokens). */
  readonly context: number;
  /** Windows per batch B (fixed, so one compiled graph serves every batch; default 8). */
  readonly batchWindows?: number;
  /**
   * What to do with a sequence that has no scored prediction (see {@link isScorable}): `error`
   * (default) or `skip` (its gradient is zero: it contributes nothing to any sum).
   */
  readonly unscorable?: 'error' | 'skip';
}

/** True when the sequence predicts at least one scored token: ≥ 2 tokens and one after `scoreFrom`. */
export function isScorable(s: TokenizedSequence): boolean {
  return s.tokens.length >= 2 && Math.max(1, s.scoreFrom) < s.tokens.length;
}

/**
 * The padded length of a batch: the smallest of 16·2^k (k ≥ 0) covering `longest`, capped at
 * `context`, so the engine compiles a handful of graph shapes instead of one per batch.
 */
export function bucketLength(longest: number, context: number): number {
  let t = 16;
  while (t < longest) t *= 2;
  return Math.min(t, context);
}

/**
 * Splits sequences into context windows (overlap one token; every prediction scored once, see
 * `splitIntoWindows`) and packs them into batches of exactly `batchWindows` rows, padding with
 * empty windows (all-zero masks, which contribute nothing to any head). All windows of one
 * sequence go into the same batch, so per-sequence sums (a long document's gradient is the sum
 * over its windows) can be taken within a batch; a sequence with more than `batchWindows`
 * windows gets a batch of a multiple of `batchWindows` rows to itself.
 *
 * @throws InvalidInputError for a sequence with no scored prediction (fewer than 2 tokens, or no
 *   token after `scoreFrom`), unless `unscorable: 'skip'` (then it is left out of every batch).
 */
export function* sequenceBatches(sequences: readonly TokenizedSequence[], opts: BatchingOptions): Generator<SequenceBatch> {
  const B = opts.batchWindows ?? 8;
  if (!Number.isInteger(B) || B < 1) throw new InvalidInputError(`batchWindows must be a positive integer, got ${B}`);
  let seqs: TokenizedSequence[] = [];
  let wins: SequenceWindow[] = [];
  const flush = (): SequenceBatch => {
    const rows = Math.max(B, Math.ceil(wins.length / B) * B);
    const longest = wins.reduce((m, w) => Math.max(m, w.tokens.length), 1);
    const padded = [...wins];
    while (padded.length < rows) padded.push({ sequence: -1, start: 0, tokens: [], lossMask: [] });
    const out = { batch: packWindows(padded, bucketLength(longest, opts.context)), sequences: seqs, windows: wins };
    seqs = [];
    wins = [];
    return out;
  };
  for (const s of sequences) {
    if (!isScorable(s)) {
      if (opts.unscorable === 'skip') continue;
      throw new InvalidInputError(`${s.id}: has ${s.tokens.length} tokens and nothing to score (at least 2 tokens, one of them after the prompt, are needed)`, {
        id: s.id,
      });
    }
    const w = splitIntoWindows(s, opts.context, 0);
    if (wins.length > 0 && wins.length + w.length > B) yield flush();
    const k = seqs.length;
    seqs.push(s);
    for (const x of w) wins.push({ ...x, sequence: k });
  }
  if (wins.length > 0) yield flush();
}
