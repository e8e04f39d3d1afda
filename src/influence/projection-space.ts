import { InvalidInputError } from '../errors/tracebase.error';
import { eigenbasisKroneckerProjection } from '../math/eigenbasis-projection';
import { gaussianKroneckerProjection, KroneckerProjection } from '../math/gaussian-projection';
import { createProjectionLayout, MAX_FULL_PROJECTION_DIMS, ProjectionLayout } from '../math/projection-layout';
import { ProjectionKind } from '../math/projection-sketch';
import { FactorSet } from './factor-set';
import { TrackedLayer } from './layer-tensors.adapter';

/** Per-layer ranks [r_o, r_i] of a projection, in layer order. */
export type LayerRanks = ReadonlyArray<readonly [number, number]>;

/**
 * A projection space (DESIGN.md §3 "Projection for storage"): per tracked layer P_ℓ ∈ R^{r_o×o},
 * R_ℓ ∈ R^{r_i×(i+1)}, and the layout of x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ).
 */
export interface ProjectionSpace {
  readonly kind: ProjectionKind;
  /** Seed of the Gaussian matrices (layer index ℓ = position in `layers`); absent for eigenbasis. */
  readonly seed?: number;
  readonly layers: readonly TrackedLayer[];
  readonly layout: ProjectionLayout;
  readonly projections: readonly KroneckerProjection[];
}

function layoutOf(layers: readonly TrackedLayer[], ranks: LayerRanks, maxDims: number): ProjectionLayout {
  if (ranks.length !== layers.length) throw new InvalidInputError(`${layers.length} layers but ${ranks.length} rank pairs`);
  layers.forEach((l, k) => {
    const [ro, ri] = ranks[k]!;
    if (ro > l.rows || ri > l.cols) throw new InvalidInputError(`layer ${l.name}: ranks ${ro}×${ri} exceed the gradient's ${l.rows}×${l.cols}`, { layer: l.name });
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
    if (!l.qS || !l.qA) throw new InvalidInputError(`eigenbasis projection needs kfac or ekfac factors; layer ${l.name} has none (strategy ${factors.strategy})`, { layer: l.name });
    return eigenbasisKroneckerProjection(l.qS, ranks[k]![0], l.qA, ranks[k]![1]);
  });
  return { kind: 'eigenbasis', layers, layout, projections };
}

/** The same ranks [r_o, r_i] for every layer, clamped to the layer's sizes. */
export function uniformRanks(layers: readonly TrackedLayer[], outputRank: number, inputRank: number): [number, number][] {
  return layers.map((l) => [Math.min(outputRank, l.rows), Math.min(inputRank, l.cols)]);
}
