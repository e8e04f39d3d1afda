import { InvalidInputError } from '../../errors/tracebase.error';
import { assertFinite } from '../finite.guard';
import { centredMoments } from './centred-moments.statistic';
import { positiveDescending } from './cumulative-share.statistic';

/** A power law score ≈ C · rank^α fitted in log-log space. */
export interface PowerLawFit {
  /** Exponent α (slope of log score on log rank); the paper finds α ≈ −0.32 … −0.38. */
  readonly alpha: number;
  /** log C (natural log), the intercept. */
  readonly logIntercept: number;
  /** Coefficient of determination of the log-log regression, in [0, 1]. */
  readonly rSquared: number;
  /** Number of (rank, score) points fitted. */
  readonly n: number;
}

/**
 * Power-law fit of the top N positive influence scores (Finding 2: top 500): sort descending,
 * ranks 1..N, ordinary least squares of ln(score) on ln(rank). Scores ≤ 0 cannot be fitted and
 * are excluded (so N may shrink to the number of positive scores).
 *
 * @param topN how many of the largest scores to fit (default 500).
 * @throws InvalidInputError when fewer than 2 positive scores remain.
 */
export function powerLawFit(scores: ArrayLike<number>, topN = 500): PowerLawFit {
  if (!Number.isInteger(topN) || topN < 2) throw new InvalidInputError(`topN must be an integer ≥ 2, got ${topN}`);
  assertFinite(scores, { tensor: 'scores (power-law fit)' });
  const positive = positiveDescending(scores);
  const n = Math.min(topN, positive.length);
  if (n < 2) throw new InvalidInputError(`power-law fit needs at least 2 positive scores, got ${positive.length}`);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = Math.log(i + 1);
    ys[i] = Math.log(positive[i]!);
  }
  const { meanX: mx, meanY: my, sxx, syy, sxy } = centredMoments(xs, ys, n);
  const alpha = sxy / sxx;
  const rSquared = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { alpha, logIntercept: my - alpha * mx, rSquared, n };
}
