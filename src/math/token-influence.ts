import { Matrix, matmul } from './dense-matrix';
import { LowRankFactors } from './low-rank-approximation';
import { ShapeMismatchError } from './math.error';

function checkTokens(op: string, deltas: Matrix, acts: Matrix, rows: number, cols: number): void {
  if (deltas.rows !== acts.rows || deltas.cols !== rows || acts.cols !== cols) {
    throw new ShapeMismatchError(op, `Δ ${deltas.rows}×${deltas.cols} and Ã ${acts.rows}×${acts.cols} do not fit M ${rows}×${cols}`);
  }
}

/**
 * Token-wise influence of one layer (docs/design.md "Mathematics"): `τ_t = δ_tᵀ M a_t` for every token t of a
 * document, with Δ T×o, Ã T×(i+1) (bias column included), M o×(i+1). Σ_t τ_t = ⟨M, Δᵀ Ã⟩ = the
 * layer's term of I(q, d). Returns length T (nats⁻¹ × nats, i.e. the units of I).
 */
export function tokenInfluence(m: Matrix, deltas: Matrix, acts: Matrix): Float64Array {
  checkTokens('tokenInfluence', deltas, acts, m.rows, m.cols);
  const dm = matmul(deltas, m); // T×(i+1)
  const T = acts.rows;
  const n = acts.cols;
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += dm.data[t * n + c]! * acts.data[t * n + c]!;
    out[t] = s;
  }
  return out;
}

/** {@link tokenInfluence} for a low-rank M = U diag(σ) Vᵀ: τ_t = Σ_k σ_k (δ_tᵀ u_k)(v_kᵀ a_t). Cost T·r·(o+i). */
export function tokenInfluenceLowRank(f: LowRankFactors, deltas: Matrix, acts: Matrix): Float64Array {
  checkTokens('tokenInfluenceLowRank', deltas, acts, f.u.rows, f.v.rows);
  const du = matmul(deltas, f.u); // T×r
  const av = matmul(acts, f.v); // T×r
  const r = f.sigma.length;
  const out = new Float64Array(deltas.rows);
  for (let t = 0; t < deltas.rows; t++) {
    let s = 0;
    for (let k = 0; k < r; k++) s += f.sigma[k]! * du.data[t * r + k]! * av.data[t * r + k]!;
    out[t] = s;
  }
  return out;
}
