import { EigenbasisRotationRunner, defaultRotationSettings } from '../engine/eigenbasis-rotation.runner';
import { GradientEngine } from '../engine/gradient.engine';
import { TextTooLongError } from '../model/model-load.error';
import { HostTensor } from '../onnx/ort.runner';
import { InvalidInputError } from '../errors/tracebase.error';
import { DampingSpec, DEFAULT_DAMPING } from '../math/damping';
import { Matrix, matmul, matrix } from '../math/dense-matrix';
import { dampedEigenbasisGradient, isEigenbasisPreconditioner, LayerPreconditioner, preconditionGradient } from '../math/ekfac-preconditioner';
import { assertFinite } from '../math/finite.guard';
import { LowRankFactors, lowRankApproximation } from '../math/low-rank-approximation';
import { PreconditionedQuery } from '../math/influence-score';
import { FactorSet, layerPreconditioners } from './factor-set';
import { hostIdentity } from './layer-tensors.adapter';
import { sequenceBatches } from './sequence-batches';
import { TokenizedSequence } from './tokenized-sequence';
import { Tokenizer } from './tokenizer.port';

/** A query: the prompt is context, the completion is scored. */
export interface QueryInput {
  readonly id: string;
  readonly prompt: string;
  readonly completion: string;
}

/**
 * A preconditioned query (docs/design.md "Mathematics"): nats(q), the raw gradient G_ℓ(q) and
 * M_ℓ(q) = (F̂_ℓ + λ_ℓ I)⁻¹ G_ℓ(q) per tracked layer, dense or rank-r.
 */
export interface PreconditionedQueryGradient {
  readonly id: string;
  /** nats(q) = Σ_{t ∈ completion} −log p(x_t | x_<t). */
  readonly nats: number;
  /** Prompt + completion tokens. */
  readonly tokens: number;
  /** Layer names, in the order of `gradients` and `m`. */
  readonly layers: readonly string[];
  /** G_ℓ(q), o×(i+1) (gradient of the completion's summed NLL). */
  readonly gradients: readonly Matrix[];
  /** M_ℓ(q): dense o×(i+1) or rank-r factors. */
  readonly m: readonly PreconditionedQuery[];
}

/**
 * Per-layer rank of stored queries: `exact` (dense), a fixed r, or `auto` (Grosse et al.: dense
 * for small layers, r = 32 once o·(i+1) exceeds {@link AUTO_RANK_THRESHOLD}).
 */
export type QueryRank = 'exact' | 'auto' | number;

/** Layers with more entries than this are stored at rank 32 under `auto`. */
export const AUTO_RANK_THRESHOLD = 65536;
/** The rank Grosse et al. use. */
export const AUTO_RANK = 32;

/** The rank chosen for an o×(i+1) layer (undefined: dense). */
export function queryRankFor(rank: QueryRank, rows: number, cols: number): number | undefined {
  if (rank === 'exact') return undefined;
  if (rank === 'auto') return rows * cols > AUTO_RANK_THRESHOLD ? AUTO_RANK : undefined;
  if (!Number.isInteger(rank) || rank < 1)
    throw new InvalidInputError(`query rank must be a positive integer, 'auto' or 'exact', got ${rank}`, { field: 'rank' });
  return rank >= Math.min(rows, cols) ? undefined : rank;
}

/**
 * Tokenizes a query as prompt ++ completion (no BOS/EOS), scoring from the prompt's length.
 * Refuses an empty completion and a query longer than the context, naming the query.
 */
export function tokenizeQuery(tokenizer: Tokenizer, q: QueryInput, context: number): TokenizedSequence {
  const p = tokenizer.encode(q.prompt, { field: `query ${q.id} prompt` });
  const c = tokenizer.encode(q.completion, { field: `query ${q.id} completion` });
  if (c.length === 0) throw new InvalidInputError(`query ${q.id}: completion is empty: there is nothing to score`, { query: q.id, field: 'completion' });
  const tokens = [...p, ...c];
  if (tokens.length < 2)
    throw new InvalidInputError(`query ${q.id}: prompt + completion must have at least 2 tokens (the first token has no context)`, { query: q.id });
  if (tokens.length > context) {
    throw new TextTooLongError(`query ${q.id}: prompt + completion are ${tokens.length} tokens; the model's context (n_positions) allows ${context}`, {
      field: 'completion',
      length: tokens.length,
      limit: context,
    });
  }
  return { id: q.id, tokens, scoreFrom: p.length };
}

/**
 * Raw query gradients G_ℓ(q) and nats(q) for many queries in few engine runs (projection
 * head with P = I, R = I: one o×(i+1) gradient per batch row, data labels, completion scored).
 */
export async function computeQueryGradients(
  engine: GradientEngine,
  queries: readonly TokenizedSequence[],
  layers: readonly { name: string; rows: number; cols: number }[],
  opts: { batchWindows?: number } = {},
): Promise<Array<{ id: string; nats: number; tokens: number; gradients: Matrix[] }>> {
  const context = engine.dimensions.contextLength;
  const dtype = engine.settings.dtype;
  for (const q of queries)
    if (q.tokens.length > context)
      throw new TextTooLongError(`query ${q.id}: ${q.tokens.length} tokens exceed the context ${context}`, {
        field: 'query',
        length: q.tokens.length,
        limit: context,
      });
  const ranks: Record<string, [number, number]> = {};
  const extra: Record<string, HostTensor> = {};
  for (const l of layers) {
    ranks[l.name] = [l.rows, l.cols];
    extra[`P.${l.name}`] = hostIdentity(l.rows, dtype);
    extra[`R.${l.name}`] = hostIdentity(l.cols, dtype);
  }
  const out: Array<{ id: string; nats: number; tokens: number; gradients: Matrix[] }> = [];
  for (const b of sequenceBatches(queries, { context, batchWindows: opts.batchWindows ?? 8 })) {
    const r = await engine.run({ labels: 'data', tracked: layers.map((l) => l.name), projection: { ranks } }, b.batch, extra);
    const T = b.batch.seqLen;
    const logp = r.logp!.data as ArrayLike<number>;
    b.sequences.forEach((s, k) => {
      let nats = 0;
      for (let t = 0; t < T; t++) nats -= b.batch.lossMask[k * T + t]! * logp[k * T + t]!;
      if (!Number.isFinite(nats)) throw new InvalidInputError(`query ${s.id}: nats(q) is ${nats}`, { query: s.id });
      const gradients = layers.map((l) => {
        const data = r[`proj.${l.name}`]!.data as ArrayLike<number>;
        const n = l.rows * l.cols;
        const g = matrix(l.rows, l.cols);
        for (let i = 0; i < n; i++) g.data[i] = data[k * n + i]!;
        assertFinite(g.data, { layer: l.name, tensor: `G(query ${s.id})` });
        return g;
      });
      out.push({ id: s.id, nats, tokens: s.tokens.length, gradients });
    });
  }
  return out;
}

/**
 * M_ℓ(q) for one layer, compressed to `rank` when given (truncated SVD). For K-FAC/EK-FAC the
 * SVD is taken in the eigenbasis: X = (Q_Sᵀ G Q_A) ⊘ (Λ + λ) has M = Q_S X Q_Aᵀ's singular
 * values, and X ≈ U Σ Vᵀ gives M ≈ (Q_S U) Σ (Q_A V)ᵀ, so the dense M is never rotated back
 * (two o×o·o×r and (i+1)×(i+1)·(i+1)×r products instead of two dense rotations).
 */
export function preconditionLayer(pre: LayerPreconditioner, g: Matrix, rank: number | undefined): PreconditionedQuery {
  if (rank !== undefined && isEigenbasisPreconditioner(pre)) {
    assertFinite(g.data, { layer: pre.layer, tensor: 'G (query)' });
    const x = dampedEigenbasisGradient(pre, g);
    assertFinite(x.data, { layer: pre.layer, tensor: 'M (preconditioned query)' });
    const f = lowRankApproximation(x, rank, pre.layer);
    return { u: matmul(pre.qS, f.u), sigma: f.sigma, v: matmul(pre.qA, f.v) };
  }
  const m = preconditionGradient(pre, g);
  assertFinite(m.data, { layer: pre.layer, tensor: 'M (preconditioned query)' });
  return rank === undefined ? m : lowRankApproximation(m, rank, pre.layer);
}

/**
 * {@link preconditionLayer} for the same layer of several queries at once: K-FAC / EK-FAC layers
 * go through `rotation` (batched float64 GEMMs on onnxruntime, {@link EigenbasisRotationRunner}),
 * other strategies (and every layer when `rotation` is null) through the pure-JS reference.
 *
 * @param gradients G_ℓ(q) of each query, o×(i+1) (nats per parameter).
 * @returns M_ℓ(q) per query, in input order (parameters per nat): dense, or rank-r factors.
 */
export async function preconditionLayerBatch(
  pre: LayerPreconditioner,
  gradients: readonly Matrix[],
  rank: number | undefined,
  rotation: EigenbasisRotationRunner | null,
): Promise<PreconditionedQuery[]> {
  if (rotation !== null && isEigenbasisPreconditioner(pre) && gradients.length > 0) return rotation.precondition(pre, gradients, rank);
  return gradients.map((g) => preconditionLayer(pre, g, rank));
}

const rotationRunners = new WeakMap<GradientEngine, EigenbasisRotationRunner>();

/** The rotation runner shared by everything that preconditions queries with `engine` ({@link defaultRotationSettings}). */
export function rotationRunnerFor(engine: GradientEngine): EigenbasisRotationRunner {
  let runner = rotationRunners.get(engine);
  if (!runner) {
    runner = new EigenbasisRotationRunner(defaultRotationSettings());
    rotationRunners.set(engine, runner);
  }
  return runner;
}

/**
 * The query side of docs/design.md "Mathematics": for each query, nats(q) and
 * `M_ℓ(q) = Q_S [(Q_Sᵀ G_ℓ(q) Q_A) ⊘ (Λ_ℓ + λ_ℓ)] Q_Aᵀ` (or the strategy's analogue) for every
 * layer of the factor set, optionally rank-r per layer ({@link QueryRank}, default `auto`), with
 * λ_ℓ resolved from `damping` (a score argument; default 0.1 × mean(Λ_ℓ)) unless ready
 * `preconditioners` are given.
 * The eigenbasis rotations of all queries run batched per layer on onnxruntime in float64
 * (`rotation`, default {@link rotationRunnerFor} the engine; null: the pure-JS reference).
 */
export async function preconditionQueries(
  engine: GradientEngine,
  tokenizer: Tokenizer,
  factors: FactorSet,
  queries: readonly QueryInput[],
  opts: {
    rank?: QueryRank;
    damping?: DampingSpec;
    batchWindows?: number;
    preconditioners?: LayerPreconditioner[];
    rotation?: EigenbasisRotationRunner | null;
  } = {},
): Promise<PreconditionedQueryGradient[]> {
  const context = engine.dimensions.contextLength;
  const tokenized = queries.map((q) => tokenizeQuery(tokenizer, q, context));
  const pre = opts.preconditioners ?? layerPreconditioners(factors, opts.damping ?? DEFAULT_DAMPING);
  const raw = await computeQueryGradients(engine, tokenized, factors.layers, opts);
  const rank = opts.rank ?? 'auto';
  const rotation = opts.rotation === undefined ? rotationRunnerFor(engine) : opts.rotation;
  const m: PreconditionedQuery[][] = raw.map(() => []);
  for (let li = 0; li < factors.layers.length; li++) {
    const l = factors.layers[li]!;
    const batch = await preconditionLayerBatch(
      pre[li]!,
      raw.map((q) => q.gradients[li]!),
      queryRankFor(rank, l.rows, l.cols),
      rotation,
    );
    batch.forEach((x, k) => (m[k]![li] = x));
  }
  return raw.map((q, k) => ({ ...q, layers: factors.layers.map((l) => l.name), m: m[k]! }));
}

/** Dense M of a layer (reconstructs rank-r factors). */
export function denseQuery(m: PreconditionedQuery): Matrix {
  if ((m as LowRankFactors).sigma === undefined) return m as Matrix;
  const f = m as LowRankFactors;
  const r = f.sigma.length;
  const out = matrix(f.u.rows, f.v.rows);
  for (let i = 0; i < f.u.rows; i++)
    for (let j = 0; j < f.v.rows; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += f.u.data[i * r + k]! * f.sigma[k]! * f.v.data[j * r + k]!;
      out.data[i * f.v.rows + j] = s;
    }
  return out;
}
