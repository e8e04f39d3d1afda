import { InvalidInputError } from '../errors/tracebase.error';
import { frobeniusInner, Matrix, matmulABt } from './dense-matrix';
import { LowRankFactors, lowRankInner } from './low-rank-approximation';
import { ShapeMismatchError } from './math.error';

/** A layer's preconditioned query: dense M_ℓ(q) or its rank-r factors. */
export type PreconditionedQuery = Matrix | LowRankFactors;

function isLowRank(m: PreconditionedQuery): m is LowRankFactors {
  return (m as LowRankFactors).sigma !== undefined;
}

/** The influence of one document on one query, split by layer. */
export interface InfluenceScore {
  /** I(q, d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩. Positive: up-weighting d raises log p(completion | prompt). */
  readonly total: number;
  /** The per-layer terms ⟨M_ℓ(q), G_ℓ(d)⟩, in layer order; they sum to `total`. */
  readonly layers: Float64Array;
}

/**
 * Exact influence (docs/design.md "Mathematics"): `I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩` with M_ℓ dense (o×(i+1)) or
 * low-rank (Σ_k σ_k u_kᵀ G v_k), and G_ℓ(d) the document's per-layer gradient (o×(i+1)).
 */
export function influenceScore(queries: readonly PreconditionedQuery[], gradients: readonly Matrix[]): InfluenceScore {
  if (queries.length !== gradients.length) {
    throw new ShapeMismatchError('influenceScore', `${queries.length} query layers, ${gradients.length} gradient layers`);
  }
  const layers = new Float64Array(queries.length);
  let total = 0;
  queries.forEach((m, l) => {
    const term = isLowRank(m) ? lowRankInner(m, gradients[l]!) : frobeniusInner(m, gradients[l]!);
    layers[l] = term;
    total += term;
  });
  return { total, layers };
}

/**
 * Influence per nat of query information: `I(q,d) / nats(q)`, with
 * `nats(q) = Σ_{t ∈ completion} −log p(x_t | x_<t)` (> 0).
 */
export function influencePerNat(score: number, nats: number): number {
  if (!Number.isFinite(nats) || nats <= 0) throw new InvalidInputError(`query information must be a positive number of nats, got ${nats}`);
  return score / nats;
}

/** ‖g(d)‖ = √(Σ_ℓ ‖G_ℓ(d)‖²_F): the document gradient norm behind norm-normalised rankings. */
export function gradientNorm(gradients: readonly Matrix[]): number {
  let s = 0;
  for (const g of gradients) s += frobeniusInner(g, g);
  return Math.sqrt(s);
}

/**
 * ‖G‖²_F of a per-sequence gradient G = Δᵀ Ã without forming G:
 * `‖Σ_t δ_t ã_tᵀ‖²_F = Σ_{t,s} (δ_t·δ_s)(ã_t·ã_s)`, the sum of the entries of (ΔΔᵀ) ∘ (ÃÃᵀ).
 * Δ T×o, Ã T×(i+1). Cost T²·(o + i + 1), cheaper than forming G (T·o·(i+1)) while
 * T < o(i+1)/(o+i+1). Sum over layers and take the square root for the document norm.
 */
export function tokenGradientSquaredNorm(deltas: Matrix, acts: Matrix): number {
  if (deltas.rows !== acts.rows) throw new ShapeMismatchError('tokenGradientSquaredNorm', `Δ has ${deltas.rows} tokens, Ã has ${acts.rows}`);
  const dd = matmulABt(deltas, deltas);
  const aa = matmulABt(acts, acts);
  let s = 0;
  for (let i = 0; i < dd.data.length; i++) s += dd.data[i]! * aa.data[i]!;
  return Math.max(0, s);
}
