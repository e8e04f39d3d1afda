import { InvalidInputError } from '../errors/tracebase.error';
import { Matrix, matrix } from './dense-matrix';
import { KroneckerProjection } from './gaussian-projection';

/**
 * The top `rank` rows of Qᵀ: rank×n, row k = the eigenvector of the k-th largest eigenvalue.
 * Q is n×n with eigenvectors in columns, sorted by descending eigenvalue (as
 * {@link symmetricEigen} returns). Rows are orthonormal, so X Xᵀ = I_rank.
 */
export function eigenbasisProjectionMatrix(q: Matrix, rank: number): Matrix {
  if (q.rows !== q.cols) throw new InvalidInputError(`eigenvector matrix must be square, got ${q.rows}×${q.cols}`);
  if (!Number.isInteger(rank) || rank < 1 || rank > q.cols) {
    throw new InvalidInputError(`eigenbasis projection rank must be in [1, ${q.cols}], got ${rank}`);
  }
  const n = q.rows;
  const out = matrix(rank, n);
  for (let k = 0; k < rank; k++) for (let j = 0; j < n; j++) out.data[k * n + j] = q.data[j * n + k]!;
  return out;
}

/**
 * Eigenbasis variant of the layer projection (docs/design.md "Mathematics"): P_ℓ = top r_o rows of Q_Sᵀ,
 * R_ℓ = top r_i rows of Q_Aᵀ. ⟨P M Rᵀ, P G Rᵀ⟩ = ⟨M, Π_S G Π_A⟩ with Π the orthogonal
 * projectors onto the top eigenvectors: exact at full rank, biased (but low-variance) below it.
 * Unlike the Gaussian variant it depends on the factors: refitting requires re-projecting.
 */
export function eigenbasisKroneckerProjection(qS: Matrix, outputRank: number, qA: Matrix, inputRank: number): KroneckerProjection {
  return { p: eigenbasisProjectionMatrix(qS, outputRank), r: eigenbasisProjectionMatrix(qA, inputRank) };
}
