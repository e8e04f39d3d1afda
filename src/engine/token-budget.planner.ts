import { InvalidInputError } from '../errors/tracebase.error';
import { ScoredSequence, SequenceWindow, splitIntoWindows } from './sequence-windows';

/** Smallest token budget a plan accepts (one row of the shortest padded length). */
export const MIN_TOKEN_BUDGET = 16;
/** Largest token budget a plan accepts (B × T positions of one engine batch). */
export const MAX_TOKEN_BUDGET = 1 << 20;

/** How windows are packed into engine batches by a token budget. */
export interface TokenBudgetOptions {
  /** Context length n_positions: windows have at most this many tokens, T ≤ context. */
  readonly context: number;
  /** Most padded positions B × T of one batch (a window longer than the budget gets a batch of one). */
  readonly tokenBudget: number;
}

/** One planned engine batch: its windows, longest first, and its padded length T. */
export interface PlannedBatch {
  /** The rows of the batch (B = windows.length); `sequence` indexes the planner's input list. */
  readonly windows: readonly SequenceWindow[];
  /** T: the padded length of every row (≥ the longest window). */
  readonly seqLen: number;
}

/**
 * The padded length T of a batch whose longest window has `longest` tokens: the smallest of
 * 16·2^k and 24·2^k (k ≥ 0) that covers it, capped at `context`. Two lengths per octave bound
 * the padding of the longest row to a third of T while keeping the set of compiled graph shapes
 * small (a graph is compiled per [B, T]).
 */
export function paddedLength(longest: number, context: number): number {
  let t = 16;
  while (t < longest) t = t % 3 === 0 ? (t / 3) * 4 : (t / 2) * 3; // 16, 24, 32, 48, 64, 96, ...
  return Math.min(t, context);
}

/**
 * The row counts a batch of padded length T may have under a budget: B_T = max(1, ⌊budget / T⌋)
 * and every power of two below it. Full batches take B_T rows; the rest of a job is cut into
 * powers of two, so no batch has empty rows and the shapes [B, T] stay few.
 */
export function allowedRows(seqLen: number, tokenBudget: number): number[] {
  const full = Math.max(1, Math.floor(tokenBudget / seqLen));
  const rows = [full];
  for (let p = 1 << Math.floor(Math.log2(full)); p >= 1; p >>= 1) if (p < full) rows.push(p);
  return rows;
}

/**
 * Orders windows by token count (longest first; ties by sequence, then start) and cuts them into
 * batches whose padded size B × T stays within `tokenBudget`: each batch starts at the longest
 * window left, T = {@link paddedLength} of it, and takes the largest allowed row count
 * ({@link allowedRows}) that the remaining windows fill. A window longer than the budget gets a
 * batch of one. Every window is in exactly one batch, no row is empty, and the plan is a pure,
 * deterministic function of the windows' lengths and order.
 */
export function planWindowBatches(windows: readonly SequenceWindow[], opts: TokenBudgetOptions): PlannedBatch[] {
  assertTokenBudgetOptions(opts);
  const order = windows
    .map((w, i) => ({ w, i }))
    .sort((a, b) => b.w.tokens.length - a.w.tokens.length || a.w.sequence - b.w.sequence || a.w.start - b.w.start || a.i - b.i)
    .map((x) => x.w);
  const out: PlannedBatch[] = [];
  for (let k = 0; k < order.length;) {
    const longest = order[k]!.tokens.length;
    if (longest > opts.context) throw new InvalidInputError(`a window of ${longest} tokens exceeds the context of ${opts.context}`);
    const seqLen = paddedLength(longest, opts.context);
    const left = order.length - k;
    const rows = allowedRows(seqLen, opts.tokenBudget).find((r) => r <= left)!;
    out.push({ windows: order.slice(k, k + rows), seqLen });
    k += rows;
  }
  return out;
}

/**
 * Splits sequences into context windows (see `splitIntoWindows`; `sequence` = index in
 * `sequences`) and plans them with {@link planWindowBatches}. The windows of one long sequence
 * may land in different batches: per-sequence sums must be taken across batches.
 */
export function planTokenBudgetBatches(sequences: readonly ScoredSequence[], opts: TokenBudgetOptions): PlannedBatch[] {
  assertTokenBudgetOptions(opts);
  return planWindowBatches(
    sequences.flatMap((s, i) => splitIntoWindows(s, opts.context, i)),
    opts,
  );
}

/** Real tokens, padded positions Σ B × T, and padding share 1 − tokens / positions of a plan. */
export function planPadding(batches: readonly { windows: readonly SequenceWindow[]; seqLen: number }[]): {
  tokens: number;
  positions: number;
  paddingShare: number;
} {
  let tokens = 0;
  let positions = 0;
  for (const b of batches) {
    positions += b.windows.length * b.seqLen;
    for (const w of b.windows) tokens += w.tokens.length;
  }
  return { tokens, positions, paddingShare: positions === 0 ? 0 : 1 - tokens / positions };
}

function assertTokenBudgetOptions(opts: TokenBudgetOptions): void {
  if (!Number.isInteger(opts.context) || opts.context < 2) throw new InvalidInputError(`context must be an integer of at least 2 tokens, got ${opts.context}`);
  if (!Number.isInteger(opts.tokenBudget) || opts.tokenBudget < MIN_TOKEN_BUDGET || opts.tokenBudget > MAX_TOKEN_BUDGET) {
    throw new InvalidInputError(`token budget must be an integer from ${MIN_TOKEN_BUDGET} to ${MAX_TOKEN_BUDGET}, got ${opts.tokenBudget}`);
  }
}

/**
 * How many distinct batch shapes [B, T] plans under these options can produce: Σ_T over the
 * padded lengths T ≤ context of |{@link allowedRows}(T)|. An engine that caches this many
 * compiled graphs never compiles one twice.
 */
export function planShapeCount(opts: TokenBudgetOptions): number {
  assertTokenBudgetOptions(opts);
  let count = 0;
  for (let longest = 1, last = 0; ;) {
    const t = paddedLength(longest, opts.context);
    if (t !== last) count += allowedRows(t, opts.tokenBudget).length;
    if (t >= opts.context) break;
    last = t;
    longest = t + 1;
  }
  return count;
}
