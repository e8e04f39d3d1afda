import { DampingSpec, DEFAULT_DAMPING } from '../math/damping';
import { InvalidInputError } from '../errors/tracebase.error';
import type { QueryRank } from './query-gradient.pipeline';

/**
 * The arguments of scoring (docs/design.md "Mathematics: Damping"), kept apart from the
 * arguments of fitting ({@link FactorArguments}): the eigenvalues Λ_ℓ of a fitted factor set do
 * not depend on them, so a query, a whole-corpus scoring request and the CLI choose them per call
 * without refitting. λ_ℓ is resolved from `damping` once per loaded factor set and call
 * (`layerPreconditioners`).
 *
 * - `damping`: λ_ℓ = factor × mean(Λ_ℓ) (relative, default factor 0.1) or an absolute λ;
 * - `rank`: how M_ℓ(q) is kept ({@link QueryRank}: `auto`, `exact` or a rank r).
 *
 * Normalisation by the document's gradient norm is a property of a ranking, not of the scores,
 * and stays an argument of the search (`topInfluences(normalize)`).
 */
export interface ScoreArguments {
  readonly damping: DampingSpec;
  readonly rank: QueryRank;
}

/** 0.1 × mean(Λ_ℓ) per layer, rank `auto`. */
export const DEFAULT_SCORE_ARGUMENTS: ScoreArguments = Object.freeze({ damping: DEFAULT_DAMPING, rank: 'auto' });

/**
 * The damping of a score call from the API's relative factor (λ_ℓ = factor × mean(Λ_ℓ)); the
 * default when `factor` is null or undefined.
 *
 * @throws InvalidInputError naming `field` when the factor is not a positive finite number.
 */
export function relativeDamping(factor: number | null | undefined, field = 'damping'): DampingSpec {
  if (factor === null || factor === undefined) return DEFAULT_DAMPING;
  if (!Number.isFinite(factor) || factor <= 0)
    throw new InvalidInputError(`${field} must be a positive number (λ_ℓ = ${field} × mean eigenvalue of the layer), got ${factor}`, { field });
  return Object.freeze({ mode: 'relative', factor });
}

/** Canonical text of a damping (`relative:0.1`, `absolute:0.001`): the key that cached scores and rankings record. */
export function dampingKey(d: DampingSpec): string {
  return d.mode === 'relative' ? `relative:${d.factor}` : `absolute:${d.value}`;
}

/** The damping of a {@link dampingKey}. @throws InvalidInputError for text that no key has. */
export function parseDampingKey(key: string): DampingSpec {
  const m = /^(relative|absolute):(.+)$/.exec(key);
  const x = m ? Number(m[2]) : NaN;
  if (!m || !Number.isFinite(x) || x <= 0) throw new InvalidInputError(`not a damping key: ${JSON.stringify(key)} (expected relative:F or absolute:V)`);
  return m[1] === 'relative' ? { mode: 'relative', factor: x } : { mode: 'absolute', value: x };
}

/** Canonical text of all score arguments (cache keys and provenance). */
export function scoreArgumentsKey(a: ScoreArguments): string {
  return `damping=${dampingKey(a.damping)};rank=${String(a.rank)}`;
}
