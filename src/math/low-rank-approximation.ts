import { InvalidInputError } from '../errors/tracebase.error';
import { assertFinite } from './finite.guard';
import { Matrix, matmul, matmulABt, matmulAtB, matmulDiagBt, matrix } from './dense-matrix';
import { ShapeMismatchError } from './math.error';
import { symmetricEigen } from './symmetric-eigen';

/**
 * A rank-r factorisation `M ≈ U diag(σ) Vᵀ`: U m×r and V n×r with orthonormal columns,
 * σ ≥ 0 of length r in descending order (up to rounding). Grosse et al. store each layer's preconditioned query
 * this way (r = 32).
 */
export interface LowRankFactors {
  readonly u: Matrix;
  readonly sigma: Float64Array;
  readonly v: Matrix;
}

/**
 * Truncated SVD of M (m×n) to rank r (the Eckart–Young optimal rank-r approximation in the
 * Frobenius norm), docs/design.md "Mathematics: Preconditioned query" of M_ℓ(q).
 *
 * Method: eigendecomposition of the smaller Gram matrix (M Mᵀ when m ≤ n, else Mᵀ M) with
 * {@link symmetricEigen}, keeping the top r eigenvectors as the singular vectors of that side;
 * the other side is recomputed from M itself (e.g. w_k = Mᵀ u_k, σ_k = ‖w_k‖, v_k = w_k / σ_k), so
 * `U diag(σ) Vᵀ = U Uᵀ M` holds to rounding whatever the Gram's conditioning, and r = rank(M)
 * reproduces M exactly. Singular values below 1e-8·σ_max from the Gram are only accurate in
 * absolute terms (≈ 1e-8·σ_max); components with σ_k = 0 get a zero vector on the other side.
 * Cost: min(m,n)²·max(m,n) for the Gram, 9·min(m,n)³ for the eigensolver, r·m·n for the rest.
 *
 * @param m the matrix (e.g. M_ℓ(q), o×(i+1)).
 * @param rank r, 1 ≤ r; values above min(m, n) are clamped.
 */
export function lowRankApproximation(m: Matrix, rank: number, layer?: string): LowRankFactors {
  if (!Number.isInteger(rank) || rank < 1) throw new InvalidInputError(`rank must be a positive integer, got ${rank}`);
  assertFinite(m.data, { layer, tensor: 'M (low-rank input)' });
  const r = Math.min(rank, m.rows, m.cols);
  const side = gramSide(m.rows, m.cols);
  // Gram of the smaller side: rows ? M Mᵀ (m×m) : Mᵀ M (n×n).
  const gram = side === 'rows' ? matmulABt(m, m) : matmulAtB(m, m);
  const basis = gramBasis(gram, r, layer);
  // Other side: W = Mᵀ U (n×r) or W = M V (m×r); σ_k = ‖W[:,k]‖.
  const w = side === 'rows' ? matmulAtB(m, basis) : matmul(m, basis);
  const sigma = normalizeColumns(w);
  return side === 'rows' ? { u: basis, sigma, v: w } : { u: w, sigma, v: basis };
}

/**
 * Which Gram matrix {@link lowRankApproximation} decomposes for an m×n matrix: `rows` (M Mᵀ, m×m,
 * whose eigenvectors are the left singular vectors U) when m ≤ n, else `cols` (Mᵀ M, n×n, giving
 * the right singular vectors V).
 */
export type GramSide = 'rows' | 'cols';

/** The {@link GramSide} of an m×n matrix: `rows` when m ≤ n. */
export function gramSide(rows: number, cols: number): GramSide {
  return rows <= cols ? 'rows' : 'cols';
}

/**
 * The top-r eigenvectors of a Gram matrix (k×k, M Mᵀ or Mᵀ M) as the columns of a k×r basis,
 * eigenvalues descending, signed as {@link symmetricEigen} signs them: the singular vectors of
 * the Gram's side of M (U for M Mᵀ, V for Mᵀ M). r ≤ k.
 */
export function gramBasis(gram: Matrix, r: number, layer?: string): Matrix {
  const eig = symmetricEigen(gram, { label: { layer, tensor: 'Gram of M' } });
  const k = gram.rows;
  if (!Number.isInteger(r) || r < 1 || r > k) throw new InvalidInputError(`rank must be an integer from 1 to ${k}, got ${r}`);
  const basis = matrix(k, r);
  for (let i = 0; i < k; i++) for (let j = 0; j < r; j++) basis.data[i * r + j] = eig.vectors.data[i * k + j]!;
  return basis;
}

/**
 * Column norms σ_j = ‖W[:,j]‖₂ of W (p×r), and W's columns scaled to unit length in place
 * (columns with σ_j = 0 stay zero): with W = Mᵀ U (or M V) the singular values of M and the other
 * side's singular vectors. Returns σ (length r).
 */
export function normalizeColumns(w: Matrix): Float64Array {
  const r = w.cols;
  const wr = w.rows;
  const sigma = new Float64Array(r);
  for (let j = 0; j < r; j++) {
    let s = 0;
    for (let i = 0; i < wr; i++) s += w.data[i * r + j]! ** 2;
    sigma[j] = Math.sqrt(s);
  }
  for (let j = 0; j < r; j++) {
    const inv = sigma[j]! > 0 ? 1 / sigma[j]! : 0;
    for (let i = 0; i < wr; i++) w.data[i * r + j]! *= inv;
  }
  return sigma;
}

/** Dense reconstruction U diag(σ) Vᵀ (m×n). */
export function reconstructLowRank(f: LowRankFactors): Matrix {
  return matmulDiagBt(f.u, f.sigma, f.v);
}

/**
 * ⟨U diag(σ) Vᵀ, G⟩ = Σ_k σ_k u_kᵀ G v_k without forming the dense matrix: the influence term
 * of one layer from a stored low-rank query. G m×n. Cost r·m·n.
 */
export function lowRankInner(f: LowRankFactors, g: Matrix): number {
  if (g.rows !== f.u.rows || g.cols !== f.v.rows) {
    throw new ShapeMismatchError('lowRankInner', `factors are ${f.u.rows}×${f.v.rows}, G is ${g.rows}×${g.cols}`);
  }
  const gv = matmul(g, f.v); // m×r
  const r = f.sigma.length;
  let total = 0;
  for (let j = 0; j < r; j++) {
    let s = 0;
    for (let i = 0; i < g.rows; i++) s += f.u.data[i * r + j]! * gv.data[i * r + j]!;
    total += f.sigma[j]! * s;
  }
  return total;
}
