import { GradientEngine } from '../engine/gradient.engine';
import { HostTensor } from '../onnx/ort.runner';
import { InvalidInputError } from '../errors/tracebase.error';
import { Matrix, matrix } from '../math/dense-matrix';
import { assertFinite } from '../math/finite.guard';
import { LowRankFactors } from '../math/low-rank-approximation';
import { PreconditionedQuery } from '../math/influence-score';
import { hostStack } from './layer-tensors.adapter';
import { denseQuery, PreconditionedQueryGradient } from './query-gradient.pipeline';
import { sequenceBatches } from './sequence-batches';
import { TokenizedSequence } from './tokenized-sequence';

/** The exact influence of one document on one query (docs/design.md "Mathematics"). */
export interface ExactInfluence {
  readonly queryId: string;
  readonly documentId: string;
  /** I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩. Positive: up-weighting d raises log p(completion | prompt). */
  readonly score: number;
  /** I(q,d) / nats(q). */
  readonly perNat: number;
  /** ⟨M_ℓ(q), G_ℓ(d)⟩ per tracked layer, in the queries' layer order; sums to `score`. */
  readonly layers: Float64Array;
  /**
   * Token-wise influence τ_t = Σ_ℓ δ_tᵀ M_ℓ(q) ā_t per token of d (index = position in the
   * document; a token shared by two windows gets both windows' terms); Σ_t τ_t = score.
   * Present with `tokens: true`.
   */
  readonly tokens?: Float64Array;
}

function isLowRank(m: PreconditionedQuery): m is LowRankFactors {
  return (m as LowRankFactors).sigma !== undefined;
}

/**
 * Engine inputs of the influence head for Q queries: dense `M.<layer> [Q,o,i+1]`, or — when
 * every layer of every query is rank-r factors — `MU.<layer> [Q,o,r]` (σ folded in) and
 * `MV.<layer> [Q,i+1,r]` with r the largest rank (smaller ranks zero-padded).
 */
export function influenceHeadInputs(
  queries: readonly PreconditionedQueryGradient[],
  dtype: 'float32' | 'float64',
): { extra: Record<string, HostTensor>; rank?: number } {
  const layers = queries[0]!.layers;
  const allLow = queries.every((q) => q.m.every(isLowRank));
  const extra: Record<string, HostTensor> = {};
  if (!allLow) {
    layers.forEach(
      (name, li) =>
        (extra[`M.${name}`] = hostStack(
          queries.map((q) => denseQuery(q.m[li]!)),
          dtype,
        )),
    );
    return { extra };
  }
  const rank = Math.max(...queries.flatMap((q) => q.m.map((f) => (f as LowRankFactors).sigma.length)));
  layers.forEach((name, li) => {
    const us: Matrix[] = [];
    const vs: Matrix[] = [];
    for (const q of queries) {
      const f = q.m[li] as LowRankFactors;
      const r = f.sigma.length;
      const u = matrix(f.u.rows, rank);
      const v = matrix(f.v.rows, rank);
      for (let i = 0; i < f.u.rows; i++) for (let k = 0; k < r; k++) u.data[i * rank + k] = f.u.data[i * r + k]! * f.sigma[k]!;
      for (let i = 0; i < f.v.rows; i++) for (let k = 0; k < r; k++) v.data[i * rank + k] = f.v.data[i * r + k]!;
      us.push(u);
      vs.push(v);
    }
    extra[`MU.${name}`] = hostStack(us, dtype);
    extra[`MV.${name}`] = hostStack(vs, dtype);
  });
  return { extra, rank };
}

/**
 * Exact influence of every document on every query (docs/design.md "Mathematics", issue 5 item 4): recomputes
 * each document's gradient inside the engine and contracts it with every M_ℓ(q) at once
 * (query batching: one forward + backward per document batch serves all Q queries), via the
 * per-token head τ_t = δ_tᵀ M_ℓ ā_t. A document longer than the context is split into windows
 * and its scores are the sums over its windows. Yields one array of Q results per document,
 * in document order (a single-token document, which predicts nothing, scores 0).
 *
 * @param queries preconditioned queries sharing one layer list (from {@link preconditionQueries}).
 * @param documents tokenized documents (every token scored).
 */
export async function* exactInfluence(
  engine: GradientEngine,
  queries: readonly PreconditionedQueryGradient[],
  documents: readonly TokenizedSequence[],
  opts: { tokens?: boolean; batchWindows?: number; queryChunk?: number } = {},
): AsyncGenerator<ExactInfluence[]> {
  if (queries.length === 0) throw new InvalidInputError('exact influence needs at least one query');
  const layers = queries[0]!.layers;
  for (const q of queries)
    if (q.layers.join(',') !== layers.join(',')) throw new InvalidInputError(`query ${q.id} has other layers than query ${queries[0]!.id}`);
  const chunk = opts.queryChunk ?? 128;
  const chunks: { qs: PreconditionedQueryGradient[]; extra: Record<string, HostTensor>; rank?: number }[] = [];
  for (let k = 0; k < queries.length; k += chunk) {
    const qs = queries.slice(k, k + chunk);
    chunks.push({ qs, ...influenceHeadInputs(qs, engine.settings.dtype) });
  }
  const context = engine.dimensions.contextLength;
  const index = new Map(documents.map((d, k) => [d, k]));
  let next = 0;
  // a document of a single token has no prediction: zero gradient, zero influence
  const zeros = function* (upTo: number): Generator<ExactInfluence[]> {
    for (; next < upTo; next++) {
      const d = documents[next]!;
      yield queries.map((q) => ({
        queryId: q.id,
        documentId: d.id,
        score: 0,
        perNat: 0,
        layers: new Float64Array(layers.length),
        ...(opts.tokens ? { tokens: new Float64Array(d.tokens.length) } : {}),
      }));
    }
  };
  for (const b of sequenceBatches(documents, { context, batchWindows: opts.batchWindows ?? 8, unscorable: 'skip' })) {
    const T = b.batch.seqLen;
    const B = b.batch.batch;
    const rows: ExactInfluence[][] = b.sequences.map(() => []);
    for (const c of chunks) {
      const Q = c.qs.length;
      const out = await engine.run(
        { labels: 'data', tracked: [...layers], influence: { queries: Q, ...(c.rank !== undefined ? { rank: c.rank } : {}) } },
        b.batch,
        c.extra,
      );
      const taus = layers.map((name) => {
        const tau = out[`tau.${name}`]!.data as ArrayLike<number>;
        assertFinite(tau, { layer: name, tensor: 'τ (token influence)' });
        return tau;
      });
      b.sequences.forEach((doc, s) => {
        const wins = b.windows.map((w, row) => ({ w, row })).filter((x) => x.w.sequence === s);
        c.qs.forEach((q, qi) => {
          const layerScores = new Float64Array(layers.length);
          const tokens = opts.tokens ? new Float64Array(doc.tokens.length) : undefined;
          taus.forEach((tau, li) => {
            let sum = 0;
            for (const { w, row } of wins) {
              const base = (qi * B + row) * T;
              for (let j = 0; j < w.tokens.length; j++) {
                const v = tau[base + j]!;
                sum += v;
                if (tokens) tokens[w.start + j]! += v;
              }
            }
            layerScores[li] = sum;
          });
          const score = layerScores.reduce((a, v) => a + v, 0);
          rows[s]!.push({ queryId: q.id, documentId: doc.id, score, perNat: score / q.nats, layers: layerScores, ...(tokens ? { tokens } : {}) });
        });
      });
    }
    for (const [s, r] of rows.entries()) {
      yield* zeros(index.get(b.sequences[s]!)!);
      yield r;
      next++;
    }
  }
  yield* zeros(documents.length);
}
