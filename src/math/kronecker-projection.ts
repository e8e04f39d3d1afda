import { Matrix, matmul, matmulABt, matmulAtB } from './dense-matrix';
import { KroneckerProjection } from './gaussian-projection';
import { LowRankFactors } from './low-rank-approximation';
import { ShapeMismatchError } from './math.error';

/**
 * Projects a layer matrix: `P X Rᵀ` (r_o×r_i) for X = G_ℓ(d) (document) or M_ℓ(q) (query),
 * X o×(i+1), P r_o×o, R r_i×(i+1) (docs/design.md "Mathematics"). Its row-major flattening is the layer's block
 * of x_d or y_q.
 */
export function projectLayerMatrix(proj: KroneckerProjection, x: Matrix): Matrix {
  if (proj.p.cols !== x.rows || proj.r.cols !== x.cols) {
    throw new ShapeMismatchError('projectLayerMatrix', `P ${proj.p.rows}×${proj.p.cols}, X ${x.rows}×${x.cols}, R ${proj.r.rows}×${proj.r.cols}`);
  }
  return matmulABt(matmul(proj.p, x), proj.r);
}

/**
 * Projected per-sequence gradient without forming G (docs/design.md "Mathematics"):
 * `P G Rᵀ = Σ_t (P δ_t)(R ã_t)ᵀ = (Δ Pᵀ)ᵀ (Ã Rᵀ)`, Δ T×o, Ã T×(i+1) (bias column included).
 * Cost T·(r_o·o + r_i·(i+1) + r_o·r_i) instead of T·o·(i+1). Returns r_o×r_i.
 */
export function projectTokenGradient(proj: KroneckerProjection, deltas: Matrix, acts: Matrix): Matrix {
  if (deltas.rows !== acts.rows || deltas.cols !== proj.p.cols || acts.cols !== proj.r.cols) {
    throw new ShapeMismatchError(
      'projectTokenGradient',
      `Δ ${deltas.rows}×${deltas.cols}, Ã ${acts.rows}×${acts.cols}, P ${proj.p.rows}×${proj.p.cols}, R ${proj.r.rows}×${proj.r.cols}`,
    );
  }
  return matmulAtB(matmulABt(deltas, proj.p), matmulABt(acts, proj.r));
}

/** Projects a low-rank query M = U diag(σ) Vᵀ: `(P U) diag(σ) (R V)ᵀ` (r_o×r_i), never forming M. */
export function projectLowRank(proj: KroneckerProjection, f: LowRankFactors): Matrix {
  if (proj.p.cols !== f.u.rows || proj.r.cols !== f.v.rows) {
    throw new ShapeMismatchError('projectLowRank', `P ${proj.p.rows}×${proj.p.cols}, factors ${f.u.rows}×${f.v.rows}, R ${proj.r.rows}×${proj.r.cols}`);
  }
  const pu = matmul(proj.p, f.u);
  const r = f.sigma.length;
  for (let i = 0; i < pu.rows; i++) for (let k = 0; k < r; k++) pu.data[i * r + k]! *= f.sigma[k]!;
  return matmulABt(pu, matmul(proj.r, f.v));
}
