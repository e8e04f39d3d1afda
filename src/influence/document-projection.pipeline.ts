import { Gpt2GradientEngine } from '../engine/gpt2-gradient.engine';
import { sumBySequence } from '../engine/sequence-windows';
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
import { sequenceBatches } from './sequence-batches';
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

/**
 * Projects documents (DESIGN.md §3): `x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ)` computed inside the
 * engine as Σ_t (P δ_t)(R ā_t)ᵀ, never forming G; a document longer than the context is the sum
 * over its windows. Data labels, every token scored. Results in document order; a document of a
 * single token (nothing to predict) gets the zero vector.
 */
export async function projectDocuments(
  engine: Gpt2GradientEngine,
  space: ProjectionSpace,
  documents: readonly TokenizedSequence[],
  opts: { batchWindows?: number } = {},
): Promise<DocumentProjection[]> {
  const dtype = engine.settings.dtype;
  const ranks: Record<string, [number, number]> = {};
  const extra: Record<string, HostTensor> = {};
  space.layers.forEach((l, k) => {
    const block = space.layout.layers[k]!;
    ranks[l.name] = [block.outputRank, block.inputRank];
    extra[`P.${l.name}`] = hostMatrix(space.projections[k]!.p, dtype);
    extra[`R.${l.name}`] = hostMatrix(space.projections[k]!.r, dtype);
  });
  const byDoc = new Map<TokenizedSequence, DocumentProjection>();
  for (const b of sequenceBatches(documents, { context: engine.model.config.nPositions, batchWindows: opts.batchWindows ?? 8, unscorable: 'skip' })) {
    const r = await engine.run({ labels: 'data', tracked: space.layers.map((l) => l.name), projection: { ranks } }, b.batch, extra);
    const vectors = b.sequences.map(() => new Float64Array(space.layout.dims));
    space.layout.layers.forEach((block) => {
      const data = r[`proj.${block.name}`]!.data as Float32Array | Float64Array;
      const sums = sumBySequence(data.subarray(0, b.windows.length * block.length), b.windows);
      for (const [s, sum] of sums) {
        assertFinite(sum, { layer: block.name, tensor: `P G Rᵀ (document ${b.sequences[s]!.id})` });
        vectors[s]!.set(sum, block.offset);
      }
    });
    const T = b.batch.seqLen;
    const logp = r.logp!.data as ArrayLike<number>;
    const loss = new Float64Array(b.sequences.length);
    b.windows.forEach((w, row) => {
      for (let t = 0; t < T; t++) loss[w.sequence]! -= b.batch.lossMask[row * T + t]! * logp[row * T + t]!;
    });
    b.sequences.forEach((s, k) => {
      const v = vectors[k]!;
      let n2 = 0;
      for (let i = 0; i < v.length; i++) n2 += v[i]! * v[i]!;
      byDoc.set(s, { documentId: s.id, vector: v, loss: loss[k]!, tokenCount: s.tokens.length, norm: Math.sqrt(n2) });
    });
  }
  // documents of one token have no prediction, hence a zero gradient
  return documents.map((d) => byDoc.get(d) ?? { documentId: d.id, vector: new Float64Array(space.layout.dims), loss: 0, tokenCount: d.tokens.length, norm: 0 });
}

/**
 * The query vector y_q = concat_ℓ vec(P_ℓ M_ℓ(q) R_ℓᵀ) (rank-r M never formed), so that
 * ⟨y_q, x_d⟩ ≈ I(q,d) (unbiased for Gaussian spaces).
 */
export function projectQuery(space: ProjectionSpace, query: PreconditionedQueryGradient): Float64Array {
  if (query.layers.length !== space.layers.length || query.layers.some((n, k) => n !== space.layers[k]!.name)) {
    throw new InvalidInputError(`query ${query.id}: layers [${query.layers.join(', ')}] differ from the projection space's [${space.layers.map((l) => l.name).join(', ')}]`);
  }
  const blocks = query.m.map((m, k) =>
    (m as LowRankFactors).sigma !== undefined ? projectLowRank(space.projections[k]!, m as LowRankFactors) : projectLayerMatrix(space.projections[k]!, m as Matrix),
  );
  return concatLayerBlocks(space.layout, blocks);
}
