import { Matrix, matrix } from '../dense-matrix';
import { pearson } from './pearson.statistic';
import { spearman } from './spearman.statistic';

/**
 * Pairwise correlations of several queries' influence scores over the same documents
 * (Finding 1): Q×Q symmetric matrix with ones on the diagonal, entry (a, b) =
 * pearson(scores[a], scores[b]) (or Spearman). Each row of `scores` holds one query's scores for
 * all N documents, in the same document order.
 */
export function correlationMatrix(scores: readonly ArrayLike<number>[], method: 'pearson' | 'spearman' = 'pearson'): Matrix {
  const q = scores.length;
  const out = matrix(q, q);
  const f = method === 'pearson' ? pearson : spearman;
  for (let a = 0; a < q; a++) {
    out.data[a * q + a] = 1;
    for (let b = a + 1; b < q; b++) {
      const r = f(scores[a]!, scores[b]!);
      out.data[a * q + b] = r;
      out.data[b * q + a] = r;
    }
  }
  return out;
}
