import { InvalidInputError } from '../../errors/tracebase.error';
import { assertFinite } from '../finite.guard';

/** Default top-k percentiles (in %) at which the cumulative share is reported. */
export const DEFAULT_SHARE_PERCENTILES: readonly number[] = Object.freeze([0.01, 0.1, 0.5, 1, 2, 5, 10, 20, 50, 100]);

export interface CumulativeSharePoint {
  /** Top-k percentile p in (0, 100]. */
  readonly percentile: number;
  /** k = ceil(p/100 · base), at least 1 when the base is not empty. */
  readonly k: number;
  /** Σ of the k largest positive scores / total positive influence, in [0, 1]. */
  readonly share: number;
}

export interface CumulativeShare {
  /** Total positive influence Σ_d max(I(q,d), 0) (same units as the scores). */
  readonly totalPositive: number;
  /** Number of documents with a positive score. */
  readonly positiveCount: number;
  readonly points: readonly CumulativeSharePoint[];
}

/**
 * Concentration of positive influence (Finding 2, Ruis et al.): documents sorted by score, the
 * share of the total positive influence held by the top k, for k at top-k percentiles.
 * `base = 'positive'` (default) takes percentiles of the positively influential documents (as
 * the paper plots), `'all'` of all documents. O(n log n).
 *
 * @throws InvalidInputError for percentiles outside (0, 100] or no positive score.
 */
export function cumulativePositiveShare(
  scores: ArrayLike<number>,
  percentiles: readonly number[] = DEFAULT_SHARE_PERCENTILES,
  base: 'positive' | 'all' = 'positive',
): CumulativeShare {
  assertFinite(scores, { tensor: 'scores (cumulative share)' });
  const positive = positiveDescending(scores);
  if (positive.length === 0) throw new InvalidInputError('cumulative share: no document has positive influence');
  const prefix = new Float64Array(positive.length + 1);
  for (let i = 0; i < positive.length; i++) prefix[i + 1] = prefix[i]! + positive[i]!;
  const total = prefix[positive.length]!;
  const n = base === 'positive' ? positive.length : scores.length;
  const points = percentiles.map((p) => {
    if (!(p > 0 && p <= 100)) throw new InvalidInputError(`percentile must be in (0, 100], got ${p}`);
    const k = Math.max(1, Math.ceil((p / 100) * n - 1e-9));
    return { percentile: p, k, share: prefix[Math.min(k, positive.length)]! / total };
  });
  return { totalPositive: total, positiveCount: positive.length, points };
}

/** The positive entries of `scores`, sorted descending (native numeric typed-array sort). */
export function positiveDescending(scores: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > 0) count++;
  const out = new Float64Array(count);
  let j = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > 0) out[j++] = scores[i]!;
  return out.sort().reverse();
}
