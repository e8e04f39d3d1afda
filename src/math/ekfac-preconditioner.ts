import { assertFinite } from './finite.guard';
import { assertShape, Matrix, matrix } from './dense-matrix';
import { DampingSpec, DEFAULT_DAMPING, resolveDamping } from './damping';
import { rotateFromEigenbasis, rotateToEigenbasis } from './ekfac-eigenvalue.accumulator';
import { kfacEigenvalues } from './kfac-eigenvalues';
import { SymmetricEigen } from './symmetric-eigen';

/** The four curvature strategies of docs/design.md "Mathematics" / issue 5. */
export type CurvatureStrategy = 'identity' | 'diagonal' | 'kfac' | 'ekfac';

/**
 * Everything needed to precondition one layer's gradient (W ∈ R^{o×i}, gradients o×(i+1)).
 * - `identity`: M = G (plain gradient dot product);
 * - `diagonal`: M = G ⊘ (diag F + λ);
 * - `kfac` / `ekfac`: M = Q_S [(Q_Sᵀ G Q_A) ⊘ (Λ + λ)] Q_Aᵀ with Λ = λ_S λ_Aᵀ (K-FAC) or the
 *   EK-FAC corrected eigenvalues.
 */
export type LayerPreconditioner =
  | { readonly strategy: 'identity'; readonly rows: number; readonly cols: number; readonly layer?: string }
  | {
      readonly strategy: 'diagonal';
      readonly rows: number;
      readonly cols: number;
      readonly layer?: string;
      /** diag F, o×(i+1). */
      readonly fisherDiagonal: Matrix;
      /** λ, same units as F. */
      readonly damping: number;
    }
  | {
      readonly strategy: 'kfac' | 'ekfac';
      readonly rows: number;
      readonly cols: number;
      readonly layer?: string;
      /** Q_S, o×o (eigenvectors of S in columns, eigenvalues descending). */
      readonly qS: Matrix;
      /** Q_A, (i+1)×(i+1). */
      readonly qA: Matrix;
      /** Λ, o×(i+1), in the Kronecker eigenbasis. */
      readonly eigenvalues: Matrix;
      /** λ. */
      readonly damping: number;
    };

/** A K-FAC or EK-FAC layer preconditioner: M = Q_S [(Q_Sᵀ G Q_A) ⊘ (Λ + λ)] Q_Aᵀ. */
export type EigenbasisPreconditioner = Extract<LayerPreconditioner, { strategy: 'kfac' | 'ekfac' }>;

/** Whether `p` preconditions in the Kronecker eigenbasis (K-FAC or EK-FAC). */
export function isEigenbasisPreconditioner(p: LayerPreconditioner): p is EigenbasisPreconditioner {
  return p.strategy === 'kfac' || p.strategy === 'ekfac';
}

/**
 * The damped eigenvalues `Λ_ℓ + λ_ℓ` (o×(i+1), units of Λ: nats² per parameter²), the divisor of
 * {@link dampedEigenbasisGradient}, entry by entry the same sums it forms.
 */
export function dampedEigenvalues(p: EigenbasisPreconditioner): Matrix {
  const out = matrix(p.rows, p.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = p.eigenvalues.data[i]! + p.damping;
  return out;
}

/** Identity strategy for an o×(i+1) layer. */
export function identityPreconditioner(rows: number, cols: number, layer?: string): LayerPreconditioner {
  return { strategy: 'identity', rows, cols, layer };
}

/** Diagonal strategy: λ resolved from mean(diag F) unless absolute. */
export function diagonalPreconditioner(fisherDiagonal: Matrix, damping: DampingSpec = DEFAULT_DAMPING, layer?: string): LayerPreconditioner {
  assertFinite(fisherDiagonal.data, { layer, tensor: 'diag F' });
  return {
    strategy: 'diagonal',
    rows: fisherDiagonal.rows,
    cols: fisherDiagonal.cols,
    layer,
    fisherDiagonal,
    damping: resolveDamping(damping, fisherDiagonal.data, layer),
  };
}

/** K-FAC strategy from the eigendecompositions of S (o×o) and A ((i+1)×(i+1)); Λ = λ_S ⊗ λ_A. */
export function kfacPreconditioner(eigS: SymmetricEigen, eigA: SymmetricEigen, damping: DampingSpec = DEFAULT_DAMPING, layer?: string): LayerPreconditioner {
  const eigenvalues = kfacEigenvalues(eigS.values, eigA.values);
  return {
    strategy: 'kfac',
    rows: eigS.values.length,
    cols: eigA.values.length,
    layer,
    qS: eigS.vectors,
    qA: eigA.vectors,
    eigenvalues,
    damping: resolveDamping(damping, eigenvalues.data, layer),
  };
}

/** EK-FAC strategy: eigenbases of S and A with the corrected eigenvalues Λ (o×(i+1)). */
export function ekfacPreconditioner(qS: Matrix, qA: Matrix, eigenvalues: Matrix, damping: DampingSpec = DEFAULT_DAMPING, layer?: string): LayerPreconditioner {
  assertShape('ekfacPreconditioner', 'Λ', eigenvalues, qS.rows, qA.rows);
  assertFinite(eigenvalues.data, { layer, tensor: 'Λ' });
  return {
    strategy: 'ekfac',
    rows: qS.rows,
    cols: qA.rows,
    layer,
    qS,
    qA,
    eigenvalues,
    damping: resolveDamping(damping, eigenvalues.data, layer),
  };
}

/**
 * Preconditioned query gradient of one layer (docs/design.md "Mathematics"):
 * `M_ℓ(q) = Q_S [ (Q_Sᵀ G_ℓ(q) Q_A) ⊘ (Λ_ℓ + λ_ℓ) ] Q_Aᵀ` (kfac/ekfac), which equals
 * `(F̂ + λ I)⁻¹ vec G` for F̂ = (Q_S ⊗ Q_A) diag(vec Λ) (Q_S ⊗ Q_A)ᵀ in row-major vec;
 * `G ⊘ (diag F + λ)` (diagonal); `G` (identity, returned as a copy).
 *
 * @param g the query gradient G_ℓ(q), o×(i+1) (nats per parameter).
 * @returns M_ℓ(q), o×(i+1) (parameters per nat); ⟨M, G(d)⟩ is the influence term of layer ℓ.
 */
export function preconditionGradient(p: LayerPreconditioner, g: Matrix): Matrix {
  assertShape('preconditionGradient', 'G', g, p.rows, p.cols);
  assertFinite(g.data, { layer: p.layer, tensor: 'G (query)' });
  switch (p.strategy) {
    case 'identity':
      return matrix(g.rows, g.cols, g.data.slice());
    case 'diagonal': {
      const out = matrix(g.rows, g.cols);
      for (let i = 0; i < out.data.length; i++) out.data[i] = g.data[i]! / (p.fisherDiagonal.data[i]! + p.damping);
      return out;
    }
    case 'kfac':
    case 'ekfac':
      return rotateFromEigenbasis(p.qS, dampedEigenbasisGradient(p, g), p.qA);
  }
}

/**
 * The preconditioned gradient in the Kronecker eigenbasis, `X = (Q_Sᵀ G Q_A) ⊘ (Λ + λ)`, o×(i+1):
 * M = Q_S X Q_Aᵀ. Since Q_S and Q_A are orthogonal, M and X have the same singular values, and a
 * truncated SVD U Σ Vᵀ of X gives M's as (Q_S U) Σ (Q_A V)ᵀ.
 */
export function dampedEigenbasisGradient(p: EigenbasisPreconditioner, g: Matrix): Matrix {
  assertShape('dampedEigenbasisGradient', 'G', g, p.rows, p.cols);
  const rotated = rotateToEigenbasis(p.qS, g, p.qA);
  const r = rotated.data;
  for (let i = 0; i < r.length; i++) r[i] = r[i]! / (p.eigenvalues.data[i]! + p.damping);
  return rotated;
}
