import { GradientEngine } from '../engine/gradient.engine';
import { packWindows, sumBySequence } from '../engine/sequence-windows';
import { planTokenBudgetBatches } from '../engine/token-budget.planner';
import { HostTensor } from '../onnx/ort.runner';
import { assertFinite } from '../math/finite.guard';
import { projectLayerMatrix, projectLowRank } from '../math/kronecker-projection';
import { LowRankFactors } from '../math/low-rank-approximation';
import { Matrix } from '../math/dense-matrix';
import { concatLayerBlocks } from '../math/projection-layout';
import { InvalidInputError } from '../errors/tracebase.error';
import { hostMatrix } from './layer-tensors.adapter';
import { ProjectionSpace } from './projection-space';
import { PreconditionedQueryGradient } from './query-gradient.pipeline';
import { isScorable, type SequenceBatch, sequenceBatches } from './sequence-batches';
import { TokenizedSequence } from './tokenized-sequence';

/** x_d of one document in one projection space, with what the store keeps beside it. */
export interface DocumentProjection {
  readonly documentId: string;
  /** x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ), length `space.layout.dims`. */
  readonly vector: Float64Array;
  /** Summed token loss Σ_t −log p(x_t | x_<t) of the document, nats. */
  readonly loss: number;
  /** Tokens of the document. */
  readonly tokenCount: number;
  /** ‖x_d‖₂ (for norm-normalised rankings). */
  readonly norm: number;
}

/** How {@link projectDocuments} batches the documents' windows. */
export interface DocumentBatching {
  /** Fixed batches of B windows in document order, a document's windows together (default 8). */
  readonly batchWindows?: number;
  /**
   * Token-budget batches instead (see `planTokenBudgetBatches`): windows ordered by length, each
   * batch B × T ≤ this many padded positions; a long document's windows may span batches.
   */
  readonly tokenBudget?: number;
}

/**
 * Projects documents (docs/design.md "Mathematics"): `x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ)` computed inside the
 * engine as Σ_t (P δ_t)(R ā_t)ᵀ, never forming G; a document longer than the context is the sum
 * over its windows (G(d) = Σ_w G_w, summed across batches when its windows span several). Data
 * labels, every token scored. Results in document order; a document of a single token (nothing
 * to predict) gets the zero vector. The batching changes only the padding, which is masked: the
 * vectors agree to float rounding whatever the batches.
 */
export async function projectDocuments(
  engine: GradientEngine,
  space: ProjectionSpace,
  documents: readonly TokenizedSequence[],
  opts: DocumentBatching = {},
): Promise<DocumentProjection[]> {
  const dtype = engine.settings.dtype;
  const context = engine.dimensions.contextLength;
  const ranks: Record<string, [number, number]> = {};
  const extra: Record<string, HostTensor> = {};
  space.layers.forEach((l, k) => {
    const block = space.layout.layers[k]!;
    ranks[l.name] = [block.outputRank, block.inputRank];
    extra[`P.${l.name}`] = hostMatrix(space.projections[k]!.p, dtype);
    extra[`R.${l.name}`] = hostMatrix(space.projections[k]!.r, dtype);
  });
  const sums = new Map<TokenizedSequence, { vector: Float64Array; loss: number }>();
  const sumOf = (s: TokenizedSequence) => {
    let acc = sums.get(s);
    if (!acc) sums.set(s, (acc = { vector: new Float64Array(space.layout.dims), loss: 0 }));
    return acc;
  };
  const batches =
    opts.tokenBudget === undefined
      ? sequenceBatches(documents, { context, batchWindows: opts.batchWindows ?? 8, unscorable: 'skip' })
      : tokenBudgetBatches(documents, context, opts.tokenBudget);
  for (const b of batches) {
    const r = await engine.run({ labels: 'data', tracked: space.layers.map((l) => l.name), projection: { ranks } }, b.batch, extra);
    space.layout.layers.forEach((block) => {
      const data = r[`proj.${block.name}`]!.data as Float32Array | Float64Array;
      const perSequence = sumBySequence(data.subarray(0, b.windows.length * block.length), b.windows);
      for (const [s, sum] of perSequence) {
        assertFinite(sum, { layer: block.name, tensor: `P G Rᵀ (document ${b.sequences[s]!.id})` });
        const v = sumOf(b.sequences[s]!).vector;
        for (let k = 0; k < sum.length; k++) v[block.offset + k] += sum[k]!;
      }
    });
    const T = b.batch.seqLen;
    const logp = r.logp!.data as ArrayLike<number>;
    b.windows.forEach((w, row) => {
      const acc = sumOf(b.sequences[w.sequence]!);
      for (let t = 0; t < T; t++) acc.loss -= b.batch.lossMask[row * T + t]! * logp[row * T + t]!;
    });
  }
  // documents of one token have no prediction, hence a zero gradient
  return documents.map((d) => {
    const acc = sums.get(d);
    if (!acc) return { documentId: d.id, vector: new Float64Array(space.layout.dims), loss: 0, tokenCount: d.tokens.length, norm: 0 };
    let n2 = 0;
    for (let i = 0; i < acc.vector.length; i++) n2 += acc.vector[i]! * acc.vector[i]!;
    return { documentId: d.id, vector: acc.vector, loss: acc.loss, tokenCount: d.tokens.length, norm: Math.sqrt(n2) };
  });
}

/**
 * The scorable documents' windows in token-budget batches, as {@link SequenceBatch}es (each
 * batch's `sequences` are the documents with a window in it; no empty rows).
 */
function* tokenBudgetBatches(documents: readonly TokenizedSequence[], context: number, tokenBudget: number): Generator<SequenceBatch> {
  const scorable = documents.filter(isScorable);
  for (const planned of planTokenBudgetBatches(scorable, { context, tokenBudget })) {
    const local = new Map<number, number>();
    const sequences: TokenizedSequence[] = [];
    const windows = planned.windows.map((w) => {
      let k = local.get(w.sequence);
      if (k === undefined) {
        local.set(w.sequence, (k = sequences.length));
        sequences.push(scorable[w.sequence]!);
      }
      return { ...w, sequence: k };
    });
    yield { batch: packWindows(windows, planned.seqLen), sequences, windows };
  }
}

/**
 * The query vector y_q = concat_ℓ vec(P'_ℓ M_ℓ(q) R'_ℓᵀ) (rank-r M never formed), so that
 * ⟨y_q, x_d⟩ ≈ I(q,d) (unbiased for Gaussian and whitened spaces). P' = P, R' = R except in
 * whitened spaces, whose query side has its own matrices.
 */
export function projectQuery(space: ProjectionSpace, query: PreconditionedQueryGradient): Float64Array {
  if (query.layers.length !== space.layers.length || query.layers.some((n, k) => n !== space.layers[k]!.name)) {
    throw new InvalidInputError(
      `query ${query.id}: layers [${query.layers.join(', ')}] differ from the projection space's [${space.layers.map((l) => l.name).join(', ')}]`,
    );
  }
  const projections = space.queryProjections ?? space.projections;
  const blocks = query.m.map((m, k) =>
    (m as LowRankFactors).sigma !== undefined ? projectLowRank(projections[k]!, m as LowRankFactors) : projectLayerMatrix(projections[k]!, m as Matrix),
  );
  return concatLayerBlocks(space.layout, blocks);
}
