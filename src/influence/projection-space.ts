import { InvalidInputError } from '../errors/tracebase.error';
import { DampingSpec, DEFAULT_DAMPING } from '../math/damping';
import { eigenbasisKroneckerProjection } from '../math/eigenbasis-projection';
import { gaussianKroneckerProjection, KroneckerProjection } from '../math/gaussian-projection';
import { createProjectionLayout, MAX_FULL_PROJECTION_DIMS, ProjectionLayout } from '../math/projection-layout';
import { ProjectionKind } from '../math/projection-sketch';
import { Matrix, matrix } from '../math/dense-matrix';
import { separableWhitening, whitenedKroneckerProjection } from '../math/whitened-projection';
import { FactorSet, layerPreconditioners, resolvedDampings } from './factor-set';
import { TrackedLayer } from './layer-tensors.adapter';

/** Per-layer ranks [r_o, r_i] of a projection, in layer order. */
export type LayerRanks = ReadonlyArray<readonly [number, number]>;

/**
 * A projection space (docs/design.md "Mathematics: Projection for storage"): per tracked layer P_ℓ ∈ R^{r_o×o},
 * R_ℓ ∈ R^{r_i×(i+1)}, and the layout of x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ).
 */
export interface ProjectionSpace {
  readonly kind: ProjectionKind;
  /** Seed of the Gaussian matrices (layer index ℓ = position in `layers`); absent for eigenbasis. */
  readonly seed?: number;
  readonly layers: readonly TrackedLayer[];
  readonly layout: ProjectionLayout;
  /** Per layer, the matrices applied to document gradients G_ℓ(d). */
  readonly projections: readonly KroneckerProjection[];
  /** Per layer, the matrices applied to preconditioned query gradients M_ℓ(q), when they differ (`whitened`). */
  readonly queryProjections?: readonly KroneckerProjection[];
}

function layoutOf(layers: readonly TrackedLayer[], ranks: LayerRanks, maxDims: number): ProjectionLayout {
  if (ranks.length !== layers.length) throw new InvalidInputError(`${layers.length} layers but ${ranks.length} rank pairs`);
  layers.forEach((l, k) => {
    const [ro, ri] = ranks[k]!;
    if (ro > l.rows || ri > l.cols)
      throw new InvalidInputError(`layer ${l.name}: ranks ${ro}×${ri} exceed the gradient's ${l.rows}×${l.cols}`, { layer: l.name });
  });
  return createProjectionLayout(
    layers.map((l, k) => ({ name: l.name, outputRank: ranks[k]![0], inputRank: ranks[k]![1] })),
    maxDims,
  );
}

/**
 * Seeded Gaussian Kronecker projections (entries N(0, 1/r), so ⟨y_q, x_d⟩ is an unbiased
 * estimate of I(q,d)). Independent of any factors: documents never need re-projecting when
 * factors or damping change.
 */
export function gaussianProjectionSpace(layers: readonly TrackedLayer[], ranks: LayerRanks, seed: number, maxDims = MAX_FULL_PROJECTION_DIMS): ProjectionSpace {
  const layout = layoutOf(layers, ranks, maxDims);
  const projections = layers.map((l, k) => gaussianKroneckerProjection(seed, k, ranks[k]![0], l.rows, ranks[k]![1], l.cols));
  return { kind: 'gaussian', seed, layers, layout, projections };
}

/** Eigenbasis projections: P_ℓ = top r_o rows of Q_Sᵀ, R_ℓ = top r_i rows of Q_Aᵀ (needs kfac/ekfac factors). */
export function eigenbasisProjectionSpace(factors: FactorSet, ranks: LayerRanks, maxDims = MAX_FULL_PROJECTION_DIMS): ProjectionSpace {
  const layers = factors.layers.map((l) => ({ name: l.name, rows: l.rows, cols: l.cols }));
  const layout = layoutOf(layers, ranks, maxDims);
  const projections = factors.layers.map((l, k) => {
    if (!l.qS || !l.qA)
      throw new InvalidInputError(`eigenbasis projection needs kfac or ekfac factors; layer ${l.name} has none (strategy ${factors.strategy})`, {
        layer: l.name,
      });
    return eigenbasisKroneckerProjection(l.qS, ranks[k]![0], l.qA, ranks[k]![1]);
  });
  return { kind: 'eigenbasis', layers, layout, projections };
}

/**
 * Whitened Gaussian projections (see {@link whitenedKroneckerProjection}): documents get
 * Ω_S D_S Q_Sᵀ G Q_A D_A Ω_Aᵀ and queries Ω_S D_S⁻¹ Q_Sᵀ M Q_A D_A⁻¹ Ω_Aᵀ, with D_S ⊗ D_A the
 * separable fit of (Λ_ℓ + λ_ℓ)^{-1/2} (EK-FAC Λ, or λ_S ⊗ λ_A for K-FAC) and λ_ℓ resolved from
 * `damping` (default 0.1 × mean eigenvalue). Unbiased; needs kfac/ekfac factors.
 */
export function whitenedProjectionSpace(
  factors: FactorSet,
  ranks: LayerRanks,
  seed: number,
  maxDims = MAX_FULL_PROJECTION_DIMS,
  damping: DampingSpec = DEFAULT_DAMPING,
): ProjectionSpace {
  const layers = factors.layers.map((l) => ({ name: l.name, rows: l.rows, cols: l.cols }));
  const layout = layoutOf(layers, ranks, maxDims);
  const dampings = resolvedDampings(layerPreconditioners(factors, damping));
  const pairs = factors.layers.map((l, k) => {
    if (!l.qS || !l.qA || !l.lambdaS || !l.lambdaA) {
      throw new InvalidInputError(`whitened projection needs kfac or ekfac factors; layer ${l.name} has none (strategy ${factors.strategy})`, {
        layer: l.name,
      });
    }
    const values = l.eigenvalues ?? kroneckerEigenvalues(l.lambdaS, l.lambdaA);
    const { dS, dA } = separableWhitening(values, dampings[k]!);
    return whitenedKroneckerProjection(seed, k, l.qS, dS, ranks[k]![0], l.qA, dA, ranks[k]![1]);
  });
  return { kind: 'whitened', seed, layers, layout, projections: pairs.map((p) => p.document), queryProjections: pairs.map((p) => p.query) };
}

/** λ_S ⊗ λ_A as an o × (i+1) matrix (the K-FAC eigenvalues in the eigenbasis). */
function kroneckerEigenvalues(lambdaS: Matrix, lambdaA: Matrix): Matrix {
  const o = lambdaS.data.length;
  const n = lambdaA.data.length;
  const out = matrix(o, n);
  for (let j = 0; j < o; j++) for (let k = 0; k < n; k++) out.data[j * n + k] = Math.max(0, lambdaS.data[j]!) * Math.max(0, lambdaA.data[k]!);
  return out;
}

/** The same ranks [r_o, r_i] for every layer, clamped to the layer's sizes. */
export function uniformRanks(layers: readonly TrackedLayer[], outputRank: number, inputRank: number): [number, number][] {
  return layers.map((l) => [Math.min(outputRank, l.rows), Math.min(inputRank, l.cols)]);
}
