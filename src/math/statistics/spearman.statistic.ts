import { ShapeMismatchError } from '../math.error';
import { averageRanks } from './average-ranks.statistic';
import { pearson } from './pearson.statistic';

/**
 * Spearman rank correlation ρ: the Pearson correlation of the average ranks (ties averaged) of
 * x and y. Used for influence-vs-exact agreement (projection fidelity, strategy accuracy).
 * Dimensionless, in [−1, 1]; same errors as {@link pearson}.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new ShapeMismatchError('spearman', `lengths ${x.length} and ${y.length}`);
  return pearson(averageRanks(x), averageRanks(y));
}
