import { GradientEngine } from '../engine/gradient.engine';
import { InvalidInputError } from '../errors/tracebase.error';
import { Matrix } from '../math/dense-matrix';
import { assertFinite } from '../math/finite.guard';
import { PreconditionedQuery } from '../math/influence-score';
import { LowRankFactors } from '../math/low-rank-approximation';
import { HostTensor } from '../onnx/ort.runner';
import { ExactInfluence } from './exact-influence.pipeline';
import { PreconditionedQueryGradient } from './query-gradient.pipeline';
import { sequenceBatches } from './sequence-batches';
import { TokenizedSequence } from './tokenized-sequence';

/** Most queries contracted by one engine run of the influence-totals head (larger passes are split). */
export const TOTALS_QUERY_CHUNK = 128;

function isLowRank(m: PreconditionedQuery): m is LowRankFactors {
  return (m as LowRankFactors).sigma !== undefined;
}

/** The rank of the factored form used for one layer of one query: r for rank-r factors, min(o, i+1) for a dense M. */
function factoredRank(m: PreconditionedQuery): number {
  return isLowRank(m) ? m.sigma.length : Math.min(m.rows, m.cols);
}

/**
 * Writes M = U Vᵀ of one query into columns `offset … offset + r − 1` of `KU [o, width]` and
 * `KV [i+1, width]`: rank-r factors as U diag(σ) and V; a dense M as (I_o, Mᵀ) when o ≤ i+1, else
 * (M, I_{i+1}) — exact, no decomposition. Columns past the query's own rank stay 0.
 */
function writeFactors(m: PreconditionedQuery, ku: Float64Array | Float32Array, kv: Float64Array | Float32Array, width: number, offset: number): void {
  if (isLowRank(m)) {
    const r = m.sigma.length;
    for (let i = 0; i < m.u.rows; i++) for (let k = 0; k < r; k++) ku[i * width + offset + k] = m.u.data[i * r + k]! * m.sigma[k]!;
    for (let i = 0; i < m.v.rows; i++) for (let k = 0; k < r; k++) kv[i * width + offset + k] = m.v.data[i * r + k]!;
    return;
  }
  const d: Matrix = m;
  if (d.rows <= d.cols) {
    for (let i = 0; i < d.rows; i++) ku[i * width + offset + i] = 1;
    for (let j = 0; j < d.cols; j++) for (let i = 0; i < d.rows; i++) kv[j * width + offset + i] = d.data[i * d.cols + j]!;
  } else {
    for (let i = 0; i < d.rows; i++) for (let j = 0; j < d.cols; j++) ku[i * width + offset + j] = d.data[i * d.cols + j]!;
    for (let j = 0; j < d.cols; j++) kv[j * width + offset + j] = 1;
  }
}

/**
 * How the influence-totals head contracts a layer: `factored` (per token, with the queries' U, V),
 * `gradient` (G_b formed per row, inner products with the dense M's), or `auto`: per layer the
 * one with fewer multiply-adds for windows of `tokens` positions (docs/design.md "Mathematics: Influence").
 */
export type TotalsForm = 'factored' | 'gradient' | 'auto';

/** vec(M) of one query's layer (row-major) into column `q` of `km [o·(i+1), Q]`. */
function writeDense(m: PreconditionedQuery, km: Float64Array | Float32Array, Q: number, q: number): void {
  if (!isLowRank(m)) {
    for (let e = 0; e < m.data.length; e++) km[e * Q + q] = m.data[e]!;
    return;
  }
  const r = m.sigma.length;
  const cols = m.v.rows;
  const vt = new Float64Array(r * cols); // Vᵀ, rows contiguous
  for (let j = 0; j < cols; j++) for (let k = 0; k < r; k++) vt[k * cols + j] = m.v.data[j * r + k]!;
  const row = new Float64Array(cols);
  for (let i = 0; i < m.u.rows; i++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const c = m.u.data[i * r + k]! * m.sigma[k]!;
      if (c === 0) continue;
      const off = k * cols;
      for (let j = 0; j < cols; j++) row[j]! += c * vt[off + j]!;
    }
    const base = i * cols * Q + q;
    for (let j = 0; j < cols; j++) km[base + j * Q] = row[j]!;
  }
}

/**
 * Engine inputs of the influence-totals head for Q queries (see `HeadSpec.influenceTotals`): per
 * layer ℓ, either the factored form — r_ℓ = the largest factored rank among the queries,
 * `KU.<layer> [o, Q·r_ℓ]` and `KV.<layer> [i+1, Q·r_ℓ]` with query q's factors in its r_ℓ columns
 * (smaller ranks zero-padded) — or the gradient form (r_ℓ = 0): `KM.<layer> [o·(i+1), Q]`, vec M_q
 * in column q. `auto` picks per layer the form with fewer multiply-adds per window of `tokens`
 * positions: T·Q·r·(o+i+1) against T·o·(i+1) + Q·o·(i+1).
 */
export function influenceTotalsInputs(
  queries: readonly PreconditionedQueryGradient[],
  dtype: 'float32' | 'float64',
  opts: { form?: TotalsForm; tokens?: number } = {},
): { extra: Record<string, HostTensor>; ranks: Record<string, number> } {
  const layers = queries[0]!.layers;
  const A = dtype === 'float64' ? Float64Array : Float32Array;
  const extra: Record<string, HostTensor> = {};
  const ranks: Record<string, number> = {};
  const Q = queries.length;
  layers.forEach((name, li) => {
    const first = queries[0]!.m[li]!;
    const rows = isLowRank(first) ? first.u.rows : first.rows;
    const cols = isLowRank(first) ? first.v.rows : first.cols;
    const r = Math.max(...queries.map((q) => factoredRank(q.m[li]!)));
    const T = opts.tokens ?? 1;
    const form = opts.form ?? 'auto';
    if (form === 'gradient' || (form === 'auto' && T * rows * cols + Q * rows * cols < T * Q * r * (rows + cols))) {
      const km = new A(rows * cols * Q);
      queries.forEach((q, qi) => writeDense(q.m[li]!, km, Q, qi));
      extra[`KM.${name}`] = { dtype, dims: [rows * cols, Q], data: km };
      ranks[name] = 0;
      return;
    }
    const width = Q * r;
    const ku = new A(rows * width);
    const kv = new A(cols * width);
    queries.forEach((q, qi) => writeFactors(q.m[li]!, ku, kv, width, qi * r));
    extra[`KU.${name}`] = { dtype, dims: [rows, width], data: ku };
    extra[`KV.${name}`] = { dtype, dims: [cols, width], data: kv };
    ranks[name] = r;
  });
  return { extra, ranks };
}

/** The queries of a pass with their head inputs, built once (the dense vec M of many queries is costly to assemble). */
export interface TotalsQueries {
  readonly queries: readonly PreconditionedQueryGradient[];
  readonly layers: readonly string[];
  readonly chunks: readonly { qs: readonly PreconditionedQueryGradient[]; extra: Record<string, HostTensor>; ranks: Record<string, number> }[];
}

/** Checks the queries of a pass and builds their head inputs, {@link TOTALS_QUERY_CHUNK} queries per engine run by default. */
export function prepareTotalsQueries(
  engine: GradientEngine,
  queries: readonly PreconditionedQueryGradient[],
  opts: { queryChunk?: number; form?: TotalsForm } = {},
): TotalsQueries {
  if (queries.length === 0) throw new InvalidInputError('exact influence needs at least one query');
  const layers = queries[0]!.layers;
  for (const q of queries)
    if (q.layers.join(',') !== layers.join(',')) throw new InvalidInputError(`query ${q.id} has other layers than query ${queries[0]!.id}`);
  const chunk = opts.queryChunk ?? TOTALS_QUERY_CHUNK;
  const chunks = [];
  for (let k = 0; k < queries.length; k += chunk) {
    const qs = queries.slice(k, k + chunk);
    chunks.push({ qs, ...influenceTotalsInputs(qs, engine.settings.dtype, { form: opts.form, tokens: engine.dimensions.contextLength }) });
  }
  return { queries, layers, chunks };
}

/**
 * Exact influence totals of every document on every query, for a whole-corpus pass
 * (docs/design.md "Mathematics: Influence"): each document batch runs one forward + backward, and
 * the influence-totals head contracts its per-token a_t, δ_t with the M of all queries: factored,
 * I_ℓ(q,d) = Σ_t Σ_k σ_k (u_kᵀ δ_t)(v_kᵀ ā_t), never forming G_d nor a per-token score, or — where
 * Q·r exceeds the layer's smaller side and that is cheaper (`form`, default `auto`) — as
 * ⟨M_ℓ(q), G_ℓ(d)⟩ with G_ℓ(d) formed once per window for all queries. Same
 * results as {@link exactInfluence} without `tokens` (windows of a long document summed; a
 * document of one token scores 0), one array of Q results per document, in document order.
 *
 * @param queries preconditioned queries sharing one layer list, preconditioned once for the pass
 *   (or their head inputs from {@link prepareTotalsQueries}, built once for the pass).
 * @param opts `queryChunk`: queries per engine run (default {@link TOTALS_QUERY_CHUNK}).
 */
export async function* exactInfluenceTotals(
  engine: GradientEngine,
  queries: readonly PreconditionedQueryGradient[] | TotalsQueries,
  documents: readonly TokenizedSequence[],
  opts: { batchWindows?: number; queryChunk?: number; form?: TotalsForm } = {},
): AsyncGenerator<ExactInfluence[]> {
  const prepared = 'chunks' in queries ? queries : prepareTotalsQueries(engine, queries, opts);
  const { layers, chunks } = prepared;
  queries = prepared.queries;
  const L = layers.length;
  const results = (d: TokenizedSequence, layerScores: Float64Array[]): ExactInfluence[] =>
    queries.map((q, qi) => {
      const ls = layerScores[qi]!;
      const score = ls.reduce((a, v) => a + v, 0);
      return { queryId: q.id, documentId: d.id, score, perNat: score / q.nats, layers: ls };
    });
  const zero = (d: TokenizedSequence) =>
    results(
      d,
      queries.map(() => new Float64Array(L)),
    );
  const index = new Map(documents.map((d, k) => [d, k]));
  let next = 0;
  for (const b of sequenceBatches(documents, { context: engine.dimensions.contextLength, batchWindows: opts.batchWindows ?? 8, unscorable: 'skip' })) {
    const perDoc = b.sequences.map(() => queries.map(() => new Float64Array(L)));
    let q0 = 0;
    for (const c of chunks) {
      const Q = c.qs.length;
      const out = await engine.run({ labels: 'data', tracked: [...layers], influenceTotals: { queries: Q, ranks: c.ranks } }, b.batch, c.extra);
      layers.forEach((name, li) => {
        const s = out[`score.${name}`]!.data as ArrayLike<number>;
        assertFinite(s, { layer: name, tensor: 'influence totals' });
        b.windows.forEach((w, row) => {
          if (w.sequence < 0) return;
          const docScores = perDoc[w.sequence]!;
          for (let q = 0; q < Q; q++) docScores[q0 + q]![li]! += s[row * Q + q]!;
        });
      });
      q0 += Q;
    }
    for (const [s, d] of b.sequences.entries()) {
      const k = index.get(d)!;
      for (; next < k; next++) yield zero(documents[next]!);
      yield results(d, perDoc[s]!);
      next++;
    }
  }
  for (; next < documents.length; next++) yield zero(documents[next]!);
}
