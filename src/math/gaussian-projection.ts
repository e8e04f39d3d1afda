import { InvalidInputError } from '../errors/tracebase.error';
import { Matrix, matrix } from './dense-matrix';
import { SeededGaussianRandom } from './seeded-gaussian.random';

/** Stream numbers of {@link SeededGaussianRandom} for the two matrices of a layer. */
export const PROJECTION_STREAM = Object.freeze({ output: 0, input: 1 });

/**
 * A seeded Gaussian projection matrix X ∈ R^{rank×dim} with i.i.d. entries N(0, 1/rank),
 * so that E[Xᵀ X] = I_dim. Filled row-major from {@link SeededGaussianRandom}(seed, layerIndex,
 * stream). *Prefix-stable*: the first k rows for rank r are the first k rows for any other rank,
 * up to the factor √(r'/r), which the sketch relies on (see `projection-sketch.ts`).
 */
export function gaussianProjectionMatrix(rank: number, dim: number, seed: number, layerIndex: number, stream: number): Matrix {
  if (!Number.isInteger(rank) || rank < 1) throw new InvalidInputError(`projection rank must be a positive integer, got ${rank}`);
  if (!Number.isInteger(dim) || dim < 1) throw new InvalidInputError(`projection input dimension must be a positive integer, got ${dim}`);
  const out = matrix(rank, dim);
  new SeededGaussianRandom(seed, layerIndex, stream).fillNormal(out.data, 1 / Math.sqrt(rank));
  return out;
}

/** The two projection matrices of one layer (docs/design.md "Mathematics: Projection for storage"). */
export interface KroneckerProjection {
  /** P_ℓ ∈ R^{r_o×o}. */
  readonly p: Matrix;
  /** R_ℓ ∈ R^{r_i×(i+1)} (the bias column included, as in G). */
  readonly r: Matrix;
}

/**
 * Gaussian Kronecker projection of layer `layerIndex`: P_ℓ (entries N(0, 1/r_o), stream 0) and
 * R_ℓ (entries N(0, 1/r_i), stream 1). Because P and R are independent with E[PᵀP] = I and
 * E[RᵀR] = I, `E⟨P X Rᵀ, P Y Rᵀ⟩ = ⟨X, Y⟩`: the projected inner product ⟨y_q, x_d⟩ is an
 * unbiased estimate of I(q, d). These matrices do not depend on any factors, so documents never
 * need re-projecting when factors or damping change.
 *
 * @param outputDim o (rows of G); @param inputDim i+1 (columns of G, bias included).
 */
export function gaussianKroneckerProjection(
  seed: number,
  layerIndex: number,
  outputRank: number,
  outputDim: number,
  inputRank: number,
  inputDim: number,
): KroneckerProjection {
  return {
    p: gaussianProjectionMatrix(outputRank, outputDim, seed, layerIndex, PROJECTION_STREAM.output),
    r: gaussianProjectionMatrix(inputRank, inputDim, seed, layerIndex, PROJECTION_STREAM.input),
  };
}
