import { InvalidInputError } from '../errors/tracebase.error';
import { assertFinite } from './finite.guard';
import { Matrix, matmul, matmulABt, matmulAtB, matrix } from './dense-matrix';
import { LowRankFactors, lowRankApproximation } from './low-rank-approximation';
import { SeededGaussianRandom } from './seeded-gaussian.random';

export interface RandomizedLowRankOptions {
  /** Extra sampled directions p beyond the rank (default 10). */
  readonly oversampling?: number;
  /** Subspace (power) iterations q (default 2); each sharpens the spectrum by (σ_j/σ_{r+1})^2. */
  readonly powerIterations?: number;
  /** Seed of the Gaussian test matrix (stream 2 of {@link SeededGaussianRandom}); default 0. */
  readonly seed?: number;
}

/**
 * Orthonormalises the rows of an l×m matrix in place (modified Gram–Schmidt, applied twice;
 * rows that vanish become zero).
 */
function orthonormalizeRows(x: Matrix): void {
  const { rows, cols } = x;
  const a = x.data;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < rows; i++) {
      const ri = i * cols;
      for (let j = 0; j < i; j++) {
        const rj = j * cols;
        let p = 0;
        for (let k = 0; k < cols; k++) p += a[ri + k]! * a[rj + k]!;
        if (p !== 0) for (let k = 0; k < cols; k++) a[ri + k]! -= p * a[rj + k]!;
      }
      let norm = 0;
      for (let k = 0; k < cols; k++) norm += a[ri + k]! ** 2;
      norm = Math.sqrt(norm);
      const inv = norm > 1e-300 ? 1 / norm : 0;
      for (let k = 0; k < cols; k++) a[ri + k]! *= inv;
    }
  }
}

/**
 * Randomised truncated SVD (Halko, Martinsson & Tropp 2011, Alg. 4.4 with subspace iteration)
 * of M (m×n) to rank r: M ≈ U diag(σ) Vᵀ as {@link lowRankApproximation} returns, at cost
 * ≈ (2q + 2)·m·n·(r + p) flops instead of an eigendecomposition of a min(m, n)² Gram matrix —
 * e.g. for a 3072×769 preconditioned query and r = 32 about 20× less work. Exact (to rounding)
 * when rank(M) ≤ r + p; otherwise the error is within a small factor of the optimal σ_{r+1}.
 * Deterministic for a given seed.
 */
export function randomizedLowRankApproximation(m: Matrix, rank: number, options: RandomizedLowRankOptions = {}, layer?: string): LowRankFactors {
  if (!Number.isInteger(rank) || rank < 1) throw new InvalidInputError(`rank must be a positive integer, got ${rank}`);
  const p = options.oversampling ?? 10;
  const q = options.powerIterations ?? 2;
  if (!Number.isInteger(p) || p < 0) throw new InvalidInputError(`oversampling must be a non-negative integer, got ${p}`);
  if (!Number.isInteger(q) || q < 0) throw new InvalidInputError(`powerIterations must be a non-negative integer, got ${q}`);
  assertFinite(m.data, { layer, tensor: 'M (low-rank input)' });
  const small = Math.min(m.rows, m.cols);
  const l = Math.min(rank + p, small);
  if (l === small) return lowRankApproximation(m, rank, layer); // nothing to gain
  // Ωᵀ (l×n), entries N(0, 1).
  const omegaT = matrix(l, m.cols);
  new SeededGaussianRandom(options.seed ?? 0, 0, 2).fillNormal(omegaT.data);
  let qT = matmulABt(omegaT, m); // (M Ω)ᵀ = Ωᵀ Mᵀ: l×m
  orthonormalizeRows(qT);
  for (let it = 0; it < q; it++) {
    const zT = matmul(qT, m); // (Mᵀ Q)ᵀ: l×n
    orthonormalizeRows(zT);
    qT = matmulABt(zT, m); // (M Z)ᵀ: l×m
    orthonormalizeRows(qT);
  }
  const b = matmul(qT, m); // B = Qᵀ M: l×n
  const f = lowRankApproximation(b, rank, layer);
  return { u: matmulAtB(qT, f.u), sigma: f.sigma, v: f.v }; // U = Q U_B: m×r
}
