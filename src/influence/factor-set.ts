import {
  CurvatureStrategy,
  LayerPreconditioner,
  diagonalPreconditioner,
  ekfacPreconditioner,
  identityPreconditioner,
  kfacPreconditioner,
} from '../math/ekfac-preconditioner';
import { DampingSpec } from '../math/damping';
import { Matrix } from '../math/dense-matrix';

/** How fitting labels are chosen: `sampled` from the model (true Fisher, default) or the data's own (`empirical`). */
export type FisherKind = 'sampled' | 'empirical';

/** Curvature factors of one tracked layer (G_ℓ is o×(i+1)). */
export interface LayerFactors {
  readonly name: string;
  /** o. */
  readonly rows: number;
  /** i + 1. */
  readonly cols: number;
  /** A_ℓ = mean over tokens of ā ātᵀ, (i+1)×(i+1) (kfac, ekfac). */
  readonly covA?: Matrix;
  /** S_ℓ = mean over tokens of δ δᵀ, o×o (kfac, ekfac). */
  readonly covS?: Matrix;
  /** Q_A (eigenvectors in columns, eigenvalues descending). */
  readonly qA?: Matrix;
  readonly qS?: Matrix;
  /** λ_A, 1×(i+1); λ_S, 1×o. */
  readonly lambdaA?: Matrix;
  readonly lambdaS?: Matrix;
  /** EK-FAC Λ_ℓ = mean over sequences of (Q_Sᵀ G Q_A)∘², o×(i+1) (ekfac). */
  readonly eigenvalues?: Matrix;
  /** diag F = mean over sequences of G∘², o×(i+1) (diagonal). */
  readonly fisherDiagonal?: Matrix;
}

/** What a fit consumed. */
export interface FitCounts {
  /** Fitting sequences (documents). */
  readonly sequences: number;
  /** Context windows. */
  readonly windows: number;
  /** Real tokens (the denominator of A and S). */
  readonly tokens: number;
}

/**
 * A fitted factor set: everything needed to precondition queries (docs/design.md "Mathematics").
 * It holds no damping: λ is an argument of scoring (`ScoreArguments`, score-arguments.ts), resolved against
 * these eigenvalues by {@link layerPreconditioners}.
 */
export interface FactorSet {
  readonly strategy: CurvatureStrategy;
  readonly fisher: FisherKind;
  readonly layers: readonly LayerFactors[];
  readonly counts: FitCounts;
}

/**
 * The per-layer preconditioners of a factor set under one score call's damping, λ resolved once
 * per layer (relative: λ_ℓ = factor × mean of the eigenvalues the strategy divides by, i.e. Λ_ℓ
 * for ekfac, λ_S λ_Aᵀ for kfac, diag F for diagonal; absolute: λ_ℓ = value). Build them once per
 * loaded factor set and score call, and pass them on.
 *
 * @throws InvalidInputError when a layer's damping does not resolve to a positive λ.
 */
export function layerPreconditioners(fs: FactorSet, damping: DampingSpec): LayerPreconditioner[] {
  return fs.layers.map((l) => {
    switch (fs.strategy) {
      case 'identity':
        return identityPreconditioner(l.rows, l.cols, l.name);
      case 'diagonal':
        return diagonalPreconditioner(l.fisherDiagonal!, damping, l.name);
      case 'kfac':
        return kfacPreconditioner({ values: l.lambdaS!.data, vectors: l.qS! }, { values: l.lambdaA!.data, vectors: l.qA! }, damping, l.name);
      case 'ekfac':
        return ekfacPreconditioner(l.qS!, l.qA!, l.eigenvalues!, damping, l.name);
    }
  });
}

/** λ_ℓ of each layer (0 for identity), as resolved by {@link layerPreconditioners}. */
export function resolvedDampings(pre: readonly LayerPreconditioner[]): number[] {
  return pre.map((p) => (p.strategy === 'identity' ? 0 : p.damping));
}
