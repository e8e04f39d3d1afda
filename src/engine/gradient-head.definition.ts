/**
 * What one compiled gradient graph computes besides the forward pass. All heads share one forward
 * + backward core; the loss is L = Σ_{b,t} loss_mask[b,t] · (−log p(target[b,t] | x_{b,≤t})).
 */
export interface HeadSpec {
  /**
   * `data`: targets are an input. Sampled labels (for the Fisher), reproducible from noise fed
   * as an input: `sampled`: targets = argmax_v(logits_v + g_v), input `gumbel_noise [B,T,V]`
   * (Gumbel-max); `sampled-icdf`: targets = #{v : F_v < u} (inverse CDF of softmax(logits),
   * F = cumulative sum), input `uniform_noise [B,T]` — V times less noise to generate and feed.
   */
  labels: 'data' | 'sampled' | 'sampled-icdf';
  /** Output `logp [B,T]` (log-probability of each target) and `loss []`. Always on. */
  /** Output `grad.<name>` for every parameter, in the family's layout. */
  allGradients?: boolean;
  /** Output `grad.<layer>.weight` / `grad.<layer>.bias` for the tracked layers only. */
  trackedGradients?: boolean;
  /** Tracked layers, by the family's names (default: the family's default tracked layers). */
  tracked?: string[];
  /** Output `a.<layer> [B,T,in+1]` (input with a trailing 1) and `delta.<layer> [B,T,out]`. */
  activations?: boolean;
  /** Output `A.<layer> = Σ_t m_t ā_t ā_tᵀ [in+1,in+1]` and `S.<layer> = Σ_t m_t δ_t δ_tᵀ [out,out]` (m = attention mask). */
  covariance?: boolean;
  /**
   * Inputs `P.<layer> [r_o,out]`, `R.<layer> [r_i,in+1]`; output `proj.<layer> [B,r_o,r_i]`
   * = Σ_t (P δ_t)(R ā_t)ᵀ = P G_b Rᵀ per sequence b.
   */
  projection?: { ranks: Record<string, [number, number]> };
  /**
   * Per-row squared gradient norms: output `sqnorm.<layer> [B]` = ‖G_{ℓ,b}‖_F² with
   * G_{ℓ,b} = Σ_t δ_t ā_tᵀ of batch row b (bias column included), formed inside the graph and
   * reduced there. A multi-window document's norm is that of the sum over its windows, so rows
   * must hold whole sequences for this to be a document norm.
   */
  gradientNorms?: boolean;
  /**
   * EK-FAC eigenvalue-correction sums: inputs `QS.<layer> [out,out]`, `QA.<layer> [in+1,in+1]`
   * (eigenvector columns); output `Lambda.<layer> [out,in+1]` = Σ_b (Q_Sᵀ G_b Q_A)∘² over batch
   * rows b. Each row must hold a whole sequence (G_b of a multi-window document is the sum over
   * its windows; for those use the projection head with P = Q_Sᵀ, R = Q_Aᵀ and square in Node).
   */
  eigenCorrection?: boolean;
  /**
   * Per-token influence τ_t = δ_tᵀ M_q ā_t, output `tau.<layer> [Q,B,T]`. Without `rank`:
   * inputs `M.<layer> [Q,out,in+1]`. With `rank` r (M_q = U_q V_qᵀ, e.g. a rank-r SVD of the
   * preconditioned query gradient): inputs `MU.<layer> [Q,out,r]`, `MV.<layer> [Q,in+1,r]`, and
   * τ_t = Σ_k (U_qkᵀ δ_t)(V_qkᵀ ā_t), which never forms [Q, tokens, out].
   */
  influence?: { queries: number; rank?: number };
  /**
   * Per-sequence influence totals of Q queries at once (docs/design.md "Mathematics: Influence"), for
   * whole-corpus exact scoring: each query's M_{ℓ,q} = U_q V_qᵀ in factored form, the Q queries'
   * factors side by side, inputs `KU.<layer> [out, Q·r_ℓ]` (σ folded into U) and
   * `KV.<layer> [in+1, Q·r_ℓ]` (query q in columns q·r_ℓ … q·r_ℓ + r_ℓ − 1); output
   * `score.<layer> [B,Q]` = Σ_t Σ_k (U_qkᵀ δ_t)(V_qkᵀ ā_t) = ⟨M_{ℓ,q}, G_{ℓ,b}⟩ per batch row b.
   * Two [B·T, out] × [out, Q·r] products per layer serve every query; neither G_b nor a per-token
   * score is formed. `ranks` gives r_ℓ per tracked layer.
   *
   * r_ℓ = 0 selects the gradient form for that layer instead: input `KM.<layer> [out·(in+1), Q]`
   * (vec M_{ℓ,q} row-major in column q); G_{ℓ,b} = Σ_t δ_t ā_tᵀ is formed per row and
   * `score.<layer>` = vec(G_{ℓ,b})ᵀ KM. It costs T·o·(i+1) + Q·o·(i+1) per row against
   * T·Q·r·(o + i + 1) for the factored form: far less once Q·r exceeds min(o, i+1).
   */
  influenceTotals?: { queries: number; ranks: Record<string, number> };
}

/** A stable string key of a head (for the session cache): canonical JSON, keys sorted at every depth. */
export function headKey(h: HeadSpec): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(canon(h));
}
