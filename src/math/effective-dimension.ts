import { InvalidInputError } from '../errors/tracebase.error';
import type { Matrix } from './dense-matrix';

/** How many eigenbasis coordinates of one layer carry influence, and how much of it a rank-r block keeps. */
export interface EffectiveDimension {
  /** Coordinates of the layer, o × (i+1). */
  readonly coordinates: number;
  /** d_eff = Σ_jk Λ_jk / (Λ_jk + λ). */
  readonly dEff: number;
  /** Per rank r: the share of d_eff inside the leading r×r block (what an eigenbasis projection keeps) and in the best r² coordinates. */
  readonly byRank: readonly { readonly rank: number; readonly dims: number; readonly blockShare: number; readonly bestShare: number }[];
}

/**
 * Effective dimension of one layer's damped EK-FAC curvature: with eigenvalues Λ_jk in the
 * eigenbasis (rows: Q_S eigenvectors by descending λ_S, columns: Q_A eigenvectors by
 * descending λ_A) and damping λ,
 *
 *   d_eff = Σ_jk w_jk,   w_jk = Λ_jk / (Λ_jk + λ) ∈ [0, 1).
 *
 * Why it bounds projection fidelity: in the eigenbasis, I(q,d) = Σ_jk g̃_q,jk g̃_d,jk / (Λ_jk + λ)
 * with E[g̃_jk²] = Λ_jk over the fitting distribution, so coordinate jk contributes a term of
 * typical size w_jk: about d_eff coordinates contribute comparably and none dominates. A
 * projection that keeps a set K of coordinates keeps Σ_K w_jk / d_eff of that budget; a random
 * projection to k dimensions estimates the d_eff-term sum with noise ∝ √(d_eff / k). `byRank`
 * reports both the leading r×r block (the eigenbasis projection) and the r² coordinates of
 * largest w (the best any coordinate selection of that size can do).
 */
export function effectiveDimension(eigenvalues: Matrix, damping: number, ranks: readonly number[]): EffectiveDimension {
  if (!(damping > 0) || !Number.isFinite(damping)) throw new InvalidInputError(`damping must be a positive finite number, got ${damping}`);
  const { rows, cols, data } = eigenvalues;
  const w = Float64Array.from(data, (v) => {
    if (!Number.isFinite(v) || v < 0) throw new InvalidInputError(`eigenvalues must be finite and ≥ 0, got ${v}`);
    return v / (v + damping);
  });
  const dEff = w.reduce((s, v) => s + v, 0);
  const sorted = Float64Array.from(w).sort().reverse();
  const prefix = new Float64Array(sorted.length + 1);
  sorted.forEach((v, i) => (prefix[i + 1] = prefix[i]! + v));
  const byRank = ranks.map((r) => {
    if (!Number.isInteger(r) || r < 1) throw new InvalidInputError(`rank must be a positive integer, got ${r}`);
    const ro = Math.min(r, rows);
    const ri = Math.min(r, cols);
    let block = 0;
    for (let j = 0; j < ro; j++) for (let k = 0; k < ri; k++) block += w[j * cols + k]!;
    const dims = ro * ri;
    return { rank: r, dims, blockShare: dEff > 0 ? block / dEff : 0, bestShare: dEff > 0 ? prefix[dims]! / dEff : 0 };
  });
  return { coordinates: rows * cols, dEff, byRank };
}
