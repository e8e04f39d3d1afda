/** A token sequence and the first token index whose prediction counts in the loss. */
export interface ScoredSequence {
  tokens: readonly number[];
  /** Tokens at index ≥ max(1, scoreFrom) are scored (documents: 0; queries: prompt length). */
  scoreFrom: number;
}

/** A window of at most `context` tokens of one sequence. */
export interface SequenceWindow {
  /** Index of the sequence in the caller's list. */
  sequence: number;
  /** Index of tokens[0] within the sequence. */
  start: number;
  tokens: number[];
  /** lossMask[j] = 1 when the prediction of tokens[j+1] at position j is scored; last entry 0. */
  lossMask: number[];
}

/**
 * Splits a sequence into windows of ≤ `context` tokens that overlap by one token (stride
 * context − 1), so every token x_t with t ≥ 1 is predicted exactly once, from up to
 * context − 1 preceding tokens of its window.
 */
export function splitIntoWindows(seq: ScoredSequence, context: number, sequenceIndex = 0): SequenceWindow[] {
  if (context < 2) throw new Error('context must be at least 2 tokens');
  const n = seq.tokens.length;
  const out: SequenceWindow[] = [];
  const first = Math.max(1, seq.scoreFrom);
  for (let start = 0; start === 0 || start + 1 < n; start += context - 1) {
    const tokens = seq.tokens.slice(start, start + context) as number[];
    const lossMask = tokens.map((_, j) => (j + 1 < tokens.length && start + j + 1 >= first ? 1 : 0));
    out.push({ sequence: sequenceIndex, start, tokens, lossMask });
    if (start + context >= n) break;
  }
  return out;
}

/** A right-padded batch of windows, ready to feed. */
export interface PackedBatch {
  batch: number;
  seqLen: number;
  /** int64 [B,T], padding = 0. */
  inputIds: BigInt64Array;
  /** [B,T], 1 for real tokens. */
  attentionMask: Float64Array;
  /** int64 [B,T]: targets[b,j] = tokens[j+1] (0 where there is none). */
  targets: BigInt64Array;
  /** [B,T]: 1 where the target is scored. */
  lossMask: Float64Array;
  windows: SequenceWindow[];
}

/** Packs windows into a [B, seqLen] batch (right padding; B = windows.length). */
export function packWindows(windows: readonly SequenceWindow[], seqLen: number): PackedBatch {
  const B = windows.length;
  const T = seqLen;
  const inputIds = new BigInt64Array(B * T);
  const attentionMask = new Float64Array(B * T);
  const targets = new BigInt64Array(B * T);
  const lossMask = new Float64Array(B * T);
  windows.forEach((w, b) => {
    if (w.tokens.length > T) throw new Error(`window of ${w.tokens.length} tokens exceeds the batch length ${T}`);
    w.tokens.forEach((tok, j) => {
      inputIds[b * T + j] = BigInt(tok);
      attentionMask[b * T + j] = 1;
      if (j + 1 < w.tokens.length) targets[b * T + j] = BigInt(w.tokens[j + 1]!);
      lossMask[b * T + j] = w.lossMask[j]!;
    });
  });
  return { batch: B, seqLen: T, inputIds, attentionMask, targets, lossMask, windows: [...windows] };
}

/**
 * Sums a per-window output `[B, ...rest]` over the windows of each sequence (a long document's
 * windows together make its gradient: G(d) = Σ_windows G_w, so also P G Rᵀ and τ sums).
 * Returns one `numel(rest)`-long array per sequence index that occurs in `windows`.
 */
export function sumBySequence(data: ArrayLike<number>, windows: readonly SequenceWindow[]): Map<number, Float64Array> {
  const per = data.length / windows.length;
  const out = new Map<number, Float64Array>();
  windows.forEach((w, b) => {
    let acc = out.get(w.sequence);
    if (!acc) out.set(w.sequence, (acc = new Float64Array(per)));
    for (let k = 0; k < per; k++) acc[k] += data[b * per + k]!;
  });
  return out;
}

/**
 * The batch with every real token scored (loss mask = attention mask), including the last
 * position of each window, which has no data target: for sampled-label (Fisher) heads, where
 * every position's predictive distribution contributes.
 */
export function scoreAllPositions(batch: PackedBatch): PackedBatch {
  return { ...batch, lossMask: Float64Array.from(batch.attentionMask) };
}

/**
 * Maps per-position scores of windows back to tokens of their sequences: `scores` is
 * `[Q, B, T]` (e.g. the influence head's τ for Q query matrices) over the rows of `windows`;
 * returns, per sequence index, `[Q, length]` row-major with position j of a window added to
 * token `start + j` (the token shared by two overlapping windows receives both terms, so
 * Σ_tokens = Σ_positions = ⟨M, G⟩).
 */
export function scoresByToken(
  scores: ArrayLike<number>,
  dims: readonly number[],
  windows: readonly SequenceWindow[],
  lengths: ReadonlyMap<number, number>,
): Map<number, Float64Array> {
  const [Q, B, T] = dims as [number, number, number];
  if (B < windows.length) throw new Error(`scores have ${B} rows for ${windows.length} windows`);
  const out = new Map<number, Float64Array>();
  windows.forEach((w, b) => {
    const len = lengths.get(w.sequence);
    if (len === undefined) throw new Error(`no length for sequence ${w.sequence}`);
    let acc = out.get(w.sequence);
    if (!acc) out.set(w.sequence, (acc = new Float64Array(Q * len)));
    for (let q = 0; q < Q; q++) for (let j = 0; j < w.tokens.length; j++) acc[q * len + w.start + j] += scores[(q * B + b) * T + j]!;
  });
  return out;
}
