import { InvalidInputError } from '../../errors/tracebase.error';
import { assertFinite } from '../finite.guard';
import { ShapeMismatchError } from '../math.error';
import { centredMoments } from './centred-moments.statistic';

/**
 * Pearson correlation r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²) of two equal-length score vectors
 * (Finding 1: correlation of two queries' influence scores over all documents). Two-pass
 * (centred) in float64. Dimensionless, in [−1, 1].
 *
 * @throws ShapeMismatchError for different lengths; InvalidInputError for fewer than 2 values
 *   or a constant vector (r undefined); NonFiniteValueError for NaN/Inf.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new ShapeMismatchError('pearson', `lengths ${x.length} and ${y.length}`);
  const n = x.length;
  if (n < 2) throw new InvalidInputError(`pearson needs at least 2 pairs, got ${n}`);
  assertFinite(x, { tensor: 'x (pearson)' });
  assertFinite(y, { tensor: 'y (pearson)' });
  const { sxx, syy, sxy } = centredMoments(x, y, n);
  if (sxx === 0 || syy === 0) throw new InvalidInputError('pearson: a constant vector has no correlation');
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}
