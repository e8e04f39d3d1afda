import { InvalidInputError } from '../errors/tracebase.error';
import { Matrix, matrix } from './dense-matrix';
import { gaussianProjectionMatrix, KroneckerProjection, PROJECTION_STREAM } from './gaussian-projection';

/**
 * Separable whitening scales of one layer: d_S ∈ R^o and d_A ∈ R^{i+1} with
 * d_S[j] · d_A[k] ≈ (Λ[j,k] + λ)^{-1/2}, fitted in the log domain:
 * log(Λ + λ)[j,k] ≈ u_j + v_k by least squares (u_j = row mean − grand mean / 2,
 * v_k = column mean − grand mean / 2), then d_S = exp(−u/2), d_A = exp(−v/2).
 * `eigenvalues` is the EK-FAC Λ_ℓ (o × (i+1)) in the eigenbasis (Q_S, Q_A), or the K-FAC
 * product λ_S ⊗ λ_A; `damping` is λ_ℓ (absolute, > 0).
 */
export function separableWhitening(eigenvalues: Matrix, damping: number): { dS: Float64Array; dA: Float64Array } {
  if (!(damping > 0) || !Number.isFinite(damping)) throw new InvalidInputError(`whitening needs a positive finite damping, got ${damping}`);
  const { rows: o, cols: n } = eigenvalues;
  const rowMean = new Float64Array(o);
  const colMean = new Float64Array(n);
  let grand = 0;
  for (let j = 0; j < o; j++) {
    for (let k = 0; k < n; k++) {
      const v = eigenvalues.data[j * n + k]!;
      if (!(v >= 0) || !Number.isFinite(v)) throw new InvalidInputError(`eigenvalue [${j}, ${k}] is ${v}; it must be finite and non-negative`);
      const l = Math.log(v + damping);
      rowMean[j]! += l / n;
      colMean[k]! += l / o;
      grand += l / (o * n);
    }
  }
  return {
    dS: Float64Array.from(rowMean, (u) => Math.exp(-(u - grand / 2) / 2)),
    dA: Float64Array.from(colMean, (v) => Math.exp(-(v - grand / 2) / 2)),
  };
}

/** Ω · diag(d) · Qᵀ: rank × n, for Ω rank × n and Q n × n (eigenvectors in columns). */
function scaledRotation(omega: Matrix, d: Float64Array, q: Matrix, power: 1 | -1): Matrix {
  const n = q.rows;
  if (q.cols !== n || omega.cols !== n || d.length !== n)
    throw new InvalidInputError(`whitened projection: Ω ${omega.rows}×${omega.cols}, d ${d.length}, Q ${q.rows}×${q.cols} do not fit`);
  const out = matrix(omega.rows, n);
  const scaled = new Float64Array(n);
  for (let a = 0; a < omega.rows; a++) {
    for (let k = 0; k < n; k++) scaled[k] = omega.data[a * n + k]! * (power === 1 ? d[k]! : 1 / d[k]!);
    // row a of Ω diag(d) Qᵀ: Σ_k scaled[k] Q[:, k]ᵀ
    for (let k = 0; k < n; k++) {
      const s = scaled[k]!;
      if (s === 0) continue;
      for (let j = 0; j < n; j++) out.data[a * n + j]! += s * q.data[j * n + k]!;
    }
  }
  return out;
}

/** Document-side and query-side matrices of one layer of a whitened projection. */
export interface WhitenedKroneckerProjection {
  /** Applied to document gradients G: P = Ω_S D_S Q_Sᵀ, R = Ω_A D_A Q_Aᵀ. */
  readonly document: KroneckerProjection;
  /** Applied to preconditioned query gradients M: P' = Ω_S D_S⁻¹ Q_Sᵀ, R' = Ω_A D_A⁻¹ Q_Aᵀ. */
  readonly query: KroneckerProjection;
}

/**
 * Whitened Gaussian Kronecker projection of one layer. With C(X) = Q_Sᵀ X Q_A,
 * x_d = Ω_S D_S C(G) D_A Ω_Aᵀ and y_q = Ω_S D_S⁻¹ C(M) D_A⁻¹ Ω_Aᵀ, Ω entries N(0, 1/r)
 * (seeded, prefix-stable as in {@link gaussianProjectionMatrix}). Since E[ΩᵀΩ] = I and Q is
 * orthogonal, E⟨y_q, x_d⟩ = ⟨C(M), C(G)⟩ = ⟨M, G⟩: unbiased like the plain Gaussian variant,
 * but both sides are (approximately) whitened by (Λ + λ)^{-1/2} first, so the variance
 * ≈ ‖D_S⁻¹C(M)D_A⁻¹‖²‖D_S C(G) D_A‖² / (r_o r_i) no longer carries the energy of the top
 * curvature directions that the preconditioner discards. Depends on the factors (refitting
 * means re-projecting documents), like the eigenbasis variant.
 */
export function whitenedKroneckerProjection(
  seed: number,
  layerIndex: number,
  qS: Matrix,
  dS: Float64Array,
  outputRank: number,
  qA: Matrix,
  dA: Float64Array,
  inputRank: number,
): WhitenedKroneckerProjection {
  const omegaS = gaussianProjectionMatrix(outputRank, qS.rows, seed, layerIndex, PROJECTION_STREAM.output);
  const omegaA = gaussianProjectionMatrix(inputRank, qA.rows, seed, layerIndex, PROJECTION_STREAM.input);
  return {
    document: { p: scaledRotation(omegaS, dS, qS, 1), r: scaledRotation(omegaA, dA, qA, 1) },
    query: { p: scaledRotation(omegaS, dS, qS, -1), r: scaledRotation(omegaA, dA, qA, -1) },
  };
}
