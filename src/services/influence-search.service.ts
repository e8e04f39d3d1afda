import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import type { DocumentProjectionRepository } from '../repositories/document-projection.repository';
import type { QueryVectorRepository } from '../repositories/query-vector.repository';
import type { ExactInfluenceService } from './exact-influence.service';
import type { FactorSetService } from './factor-set.service';
import type { ProjectionSpaceService } from './projection-space.service';

export type InfluenceSign = 'POSITIVE' | 'NEGATIVE';
export type InfluenceMode = 'ANN' | 'RERANKED' | 'EXACT';

/** Largest k of a top-influences request. */
export const MAX_TOP_K = 1000;

/** One ranked document. */
export interface InfluenceHit {
  readonly documentId: number;
  readonly rank: number;
  /** ⟨y_q, x_d⟩: the sketch's (ANN) or the full projection's (RERANKED). */
  readonly score: number;
  /** score / nats(q). */
  readonly perNat: number;
  /** EXACT only: ⟨M_ℓ(q), G_ℓ(d)⟩ per tracked layer (sums to `score`). */
  readonly layerScores?: readonly number[];
  /** EXACT only: τ_t per token of the document (sums to `score`). */
  readonly tokenScores?: readonly number[];
}

/** A ranking and how it was made. */
export interface InfluenceRanking {
  readonly mode: InfluenceMode;
  readonly sign: InfluenceSign;
  readonly nats: number;
  /** Candidates the ANN stage returned (RERANKED reranks them all). */
  readonly candidates: number;
  readonly hits: InfluenceHit[];
}

/**
 * Top influences of a query (DESIGN.md §3 two-stage retrieval): ANN over the HNSW-indexed
 * sketches with raw inner products (`vector_ip_ops`-style ordering, iterative scan), then, for
 * RERANKED, exact ⟨y_q, x_d⟩ with the full projections of max(10k, 200) candidates; for EXACT,
 * the true EK-FAC influence of the reranked top min(max(2k, 20), 200), recomputed by the engine,
 * with layer and token scores. NEGATIVE searches with −y_q, which is how the most negative
 * documents are found with the same index.
 */
export class InfluenceSearchService {
  constructor(
    private readonly vectors: QueryVectorRepository,
    private readonly documents: DocumentProjectionRepository,
    private readonly factorSets: FactorSetService,
    private readonly spaces: ProjectionSpaceService,
    private readonly exact: ExactInfluenceService,
  ) {}

  async topInfluences(input: {
    queryId: number;
    factorSetId: number;
    spaceId: number;
    k: number;
    sign: InfluenceSign;
    mode: InfluenceMode;
    efSearch?: number;
  }): Promise<InfluenceRanking> {
    const { k } = input;
    if (!Number.isInteger(k) || k < 1 || k > MAX_TOP_K) throw new InvalidInputError(`k must be an integer from 1 to ${MAX_TOP_K}, got ${k}`, { argument: 'k' });
    const factorSet = await this.factorSets.byId(input.factorSetId);
    const space = await this.spaces.runtime(input.spaceId);
    if (space.record.modelId !== factorSet.modelId) {
      throw new InvalidInputError(`projection space ${space.record.name} and factor set ${factorSet.name} belong to different models`, { code: 'PROVENANCE_MISMATCH' });
    }
    const gradient = await this.vectors.findGradient(input.queryId, input.factorSetId);
    if (!gradient) throw new NotFoundError(`query ${input.queryId} has no gradient under factor set ${factorSet.name} yet (tracebase queries add / createInfluenceQueries)`);
    const y = await this.vectors.findProjection(gradient.id, input.spaceId);
    if (!y) throw new NotFoundError(`query ${input.queryId} has no vector in projection space ${space.record.name}`);
    if ((await this.documents.count(input.spaceId)) === 0) {
      throw new NotFoundError(`projection space ${space.record.name} holds no document vectors (tracebase ingest)`);
    }
    const negative = input.sign === 'NEGATIVE';
    const sketch = negative ? y.sketch.map((v) => -v) : y.sketch;
    const candidatesWanted = input.mode === 'ANN' ? k : Math.min(Math.max(10 * k, 200), 10_000);
    const ann = await this.documents.searchInnerProduct({
      spaceId: input.spaceId,
      query: sketch,
      column: 'sketch',
      k: candidatesWanted,
      efSearch: input.efSearch ?? Math.min(1000, Math.max(100, 2 * candidatesWanted)),
      iterativeScan: true,
    });
    const perNat = (score: number) => (gradient.nats > 0 ? score / gradient.nats : 0);
    if (input.mode === 'ANN') {
      const hits = ann.slice(0, k).map((h, i) => {
        const score = negative ? -h.score : h.score;
        return { documentId: h.documentId, rank: i + 1, score, perNat: perNat(score) };
      });
      return { mode: 'ANN', sign: input.sign, nats: gradient.nats, candidates: ann.length, hits };
    }
    const exactPool = Math.min(Math.max(2 * k, 20), 200);
    const reranked = await this.documents.rerankFull(input.spaceId, y.full, ann.map((h) => h.documentId), input.mode === 'EXACT' ? exactPool : k, negative);
    if (input.mode === 'EXACT') {
      const rows = await this.exact.score({
        queryId: input.queryId,
        factorSetId: input.factorSetId,
        spaceId: input.spaceId,
        documentIds: reranked.map((h) => h.documentId),
        sign: input.sign,
      });
      return {
        mode: 'EXACT',
        sign: input.sign,
        nats: gradient.nats,
        candidates: reranked.length,
        hits: rows.slice(0, k).map((r, i) => ({ documentId: r.documentId, rank: i + 1, score: r.score, perNat: r.perNat, layerScores: r.layerScores, tokenScores: r.tokenScores })),
      };
    }
    return {
      mode: 'RERANKED',
      sign: input.sign,
      nats: gradient.nats,
      candidates: ann.length,
      hits: reranked.map((h, i) => ({ documentId: h.documentId, rank: i + 1, score: h.score, perNat: perNat(h.score) })),
    };
  }
}
