import { InvalidInputError } from '../errors/tracebase.error';
import { mean } from './dense-matrix';

/**
 * How the damping λ_ℓ of a layer is chosen.
 * - `relative`: λ = factor × mean(Λ_ℓ) (Grosse et al. use factor 0.1; docs/design.md "Mathematics" default);
 * - `absolute`: λ = value (same units as Λ: nats² per parameter²).
 */
export type DampingSpec = { readonly mode: 'relative'; readonly factor: number } | { readonly mode: 'absolute'; readonly value: number };

/** The default: 0.1 × mean(Λ_ℓ). */
export const DEFAULT_DAMPING: DampingSpec = Object.freeze({ mode: 'relative', factor: 0.1 });

/**
 * Resolves the damping λ_ℓ for one layer from its eigenvalues Λ_ℓ (EK-FAC corrected, K-FAC
 * λ_S ⊗ λ_A, or the diagonal Fisher — whatever the strategy divides by).
 *
 * @returns λ_ℓ > 0.
 * @throws InvalidInputError for a negative/non-finite factor or value, or when the result is not
 *   positive (e.g. all-zero eigenvalues with relative damping), naming `layer`.
 */
export function resolveDamping(spec: DampingSpec, eigenvalues: ArrayLike<number>, layer?: string): number {
  const where = layer === undefined ? '' : ` for layer ${layer}`;
  let lambda: number;
  if (spec.mode === 'relative') {
    if (!Number.isFinite(spec.factor) || spec.factor <= 0) throw new InvalidInputError(`damping factor${where} must be positive, got ${spec.factor}`);
    lambda = spec.factor * mean(eigenvalues);
  } else {
    if (!Number.isFinite(spec.value) || spec.value <= 0) throw new InvalidInputError(`damping value${where} must be positive, got ${spec.value}`);
    lambda = spec.value;
  }
  if (!Number.isFinite(lambda) || lambda <= 0) {
    throw new InvalidInputError(`damping${where} resolved to ${lambda} (mean eigenvalue ${mean(eigenvalues)}); use an absolute damping value`, {
      layer,
    });
  }
  return lambda;
}
