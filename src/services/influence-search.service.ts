import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import type { DocumentProjectionSearchRepository } from '../repositories/document-projections/document-projection-search.repository';
import type { DocumentProjectionWriteRepository } from '../repositories/document-projections/document-projection-write.repository';
import type { QueryGradientRow, QueryVectorRepository, RankingStamp } from '../repositories/query-vector.repository';
import type { ExactInfluenceService } from './exact-influence.service';
import type { FactorSetService } from './factor-set.service';
import type { ProjectionSpaceRuntime, ProjectionSpaceService } from './projection-space.service';
import { RankingCache } from './ranking-cache';
import { SingleFlight } from './single-flight';
import { whitenQuery } from '../math/search-whitening';
import type { DocumentRecord } from '../domain/document.record';
import { INFLUENCE_MODES, type InfluenceMode } from '../domain/influence-mode';
import { INFLUENCE_NORMALIZATIONS, type InfluenceNormalization } from '../domain/influence-normalization';
import { INFLUENCE_SIGNS, type InfluenceSign } from '../domain/influence-sign';
import { oneOf } from '../domain/one-of';
import type { DocumentRepository } from '../repositories/document.repository';
import type { QueryRepository } from '../repositories/query.repository';

/** Rankings one API process keeps (each at most MAX_TOP_K hits). */
export const RANKING_CACHE_ENTRIES = 512;

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
  /** score / ‖x_d‖₂ (0 for a document whose gradient norm is 0): what GRADIENT_NORM ranks by. */
  readonly normalizedScore: number;
  /** ‖x_d‖₂: the stored norm of the document's full projection in the space. */
  readonly gradientNorm: number;
  /** EXACT only: ⟨M_ℓ(q), G_ℓ(d)⟩ per tracked layer (sums to `score`). */
  readonly layerScores?: readonly number[];
  /** EXACT only: τ_t per token of the document (sums to `score`). */
  readonly tokenScores?: readonly number[];
}

/** One ranked document with the stored document itself. */
export interface InfluenceDocumentHit extends InfluenceHit {
  readonly document: DocumentRecord;
}

/** A ranking with its documents (what `topInfluences` answers; hits whose document was deleted meanwhile are left out). */
export interface InfluenceDocumentRanking extends Omit<InfluenceRanking, 'hits'> {
  readonly hits: InfluenceDocumentHit[];
}

/** A top-influences request by names, as GraphQL and `tracebase queries top` make it. */
export interface TopInfluencesRequest {
  /** Name of the factor set the query's gradient was preconditioned with. */
  readonly factorSet: string;
  /** Name of the projection space the documents were ingested into. */
  readonly space: string;
  /** 1 to {@link MAX_TOP_K}. */
  readonly k: number;
  /** Default POSITIVE. */
  readonly sign?: InfluenceSign;
  /** Default RERANKED. */
  readonly mode?: InfluenceMode;
  /** Default NONE. */
  readonly normalize?: InfluenceNormalization;
  readonly efSearch?: number;
}

/** A ranking and how it was made. */
export interface InfluenceRanking {
  readonly mode: InfluenceMode;
  readonly sign: InfluenceSign;
  readonly normalization: InfluenceNormalization;
  readonly nats: number;
  /** Candidates the ANN stage returned (RERANKED and EXACT rerank them all); for a whole-corpus exact ranking, the documents ranked. */
  readonly candidates: number;
  /** What the ranking was computed over. */
  readonly basis: RankingBasis;
  /**
   * EXACT: candidates left out because their exact influence I(q,d) has the other sign than the
   * one asked for (≤ 0 for POSITIVE, ≥ 0 for NEGATIVE) — the projected scores chose them, the
   * exact ones disown them — so the ranking holds fewer than k documents when the candidates run
   * out; 0 for ANN and RERANKED (and absent in rankings cached before it existed).
   */
  readonly oppositeSign?: number;
  readonly hits: InfluenceHit[];
}

/** What a ranking was computed over, in words and in numbers. */
export interface RankingBasis {
  /** True when it is the exact ranking of every document of the space (from a complete `scoreCorpus(EXACT)` pass). */
  readonly wholeCorpus: boolean;
  /** E.g. "whole corpus, exact: 2500 documents, factor set ek, damping relative:0.1". */
  readonly description: string;
  /** Documents ranked: the space's documents (whole corpus) or the candidates. */
  readonly documents: number;
  /** Documents whose exact influence was recomputed or read for this ranking (0 for ANN and RERANKED). */
  readonly rescored: number;
}

/**
 * Top influences of a query (docs/design.md "Mathematics: Two-stage retrieval"): ANN over the HNSW-indexed
 * sketches with raw inner products (`vector_ip_ops`-style ordering, iterative scan) — in the
 * space's whitened search basis when it has one (documents T s, query T⁻ᵀ y: the same inner
 * products; src/math/search-whitening.ts) — then, for
 * RERANKED, exact ⟨y_q, x_d⟩ with the full projections of the candidates (`rerankCandidates`);
 * for EXACT, the true EK-FAC influence of the reranked top min(max(2k, 20), 200), recomputed by
 * the engine, with layer and token scores; candidates whose exact influence has the other sign
 * than asked are left out and counted (`oppositeSign`). NEGATIVE searches with −y_q, which is how the most
 * negative documents are found with the same index.
 *
 * Rankings are cached per process (least recently used, {@link RANKING_CACHE_ENTRIES}) under a
 * stamp read in one statement on every request: the query's gradient, when its vector in the
 * space was stored, and the space's `vectors_version` (a trigger bumps it whenever the space's
 * document projections change). A request whose inputs are unchanged is answered from the
 * cache; any change of vectors or query recomputes. Identical rankings asked while one is being
 * computed (aliases of one request, concurrent requests) share that computation (same key and
 * stamp as the cache).
 *
 * With normalization GRADIENT_NORM every stage ranks by score / ‖x_d‖ instead (docs/design.md "Mathematics"
 * "Norm dominance"): ANN searches the space's second HNSW index, over the unit-normalised
 * sketches (order ⟨y_s, x_s/‖x_s‖⟩, then the hits are ordered by their sketch score / ‖x_d‖);
 * RERANKED orders the candidates by ⟨y_q, x_d⟩ / ‖x_d‖; EXACT orders the exact I(q,d) by
 * I(q,d) / ‖x_d‖. ‖x_d‖ is always the stored gradient norm of the document's full projection in
 * the space (`document_projections.gradient_norm`), also for EXACT: the norm of the true
 * gradient G(d) is not stored, and the projection's norm estimates it up to the projection's
 * scale, which is the same for every document of a space, so the order is the one the
 * projection sees.
 */
export class InfluenceSearchService {
  constructor(
    private readonly vectors: QueryVectorRepository,
    private readonly documents: DocumentProjectionSearchRepository,
    private readonly stored: DocumentProjectionWriteRepository,
    private readonly factorSets: FactorSetService,
    private readonly spaces: ProjectionSpaceService,
    private readonly exact: ExactInfluenceService,
    private readonly queries: QueryRepository,
    private readonly documentRecords: DocumentRepository,
    private readonly cache: RankingCache<InfluenceRanking> = new RankingCache(RANKING_CACHE_ENTRIES),
  ) {}

  /** Rankings being computed, by cache key and stamp: identical requests share one computation. */
  private readonly computing = new SingleFlight<InfluenceRanking>();

  /**
   * The most influential documents of a stored query, with the documents: the factor set and
   * the space are looked up by name among the query's model's, the arguments are validated
   * (k, sign, mode, normalize), then {@link rankByIds} ranks. What GraphQL's `topInfluences` and
   * `tracebase queries top` call.
   */
  async topInfluences(queryId: number, request: TopInfluencesRequest): Promise<InfluenceDocumentRanking> {
    const [query] = await this.queries.findManyByIds([queryId]);
    if (!query) throw new NotFoundError(`no influence query ${queryId}`);
    const sign = oneOf(request.sign ?? 'POSITIVE', INFLUENCE_SIGNS, 'sign');
    const mode = oneOf(request.mode ?? 'RERANKED', INFLUENCE_MODES, 'mode');
    const normalize = oneOf(request.normalize ?? 'NONE', INFLUENCE_NORMALIZATIONS, 'normalize');
    assertTopK(request.k);
    const factorSet = await this.factorSets.byName(query.modelId, request.factorSet);
    const space = await this.spaces.byModelId(query.modelId, request.space);
    const ranking = await this.rankByIds({
      queryId,
      factorSetId: factorSet.id,
      spaceId: space.id,
      k: request.k,
      sign,
      mode,
      normalize,
      efSearch: request.efSearch,
    });
    const docs = await this.documentRecords.findManyByIds(ranking.hits.map((h) => h.documentId));
    return { ...ranking, hits: ranking.hits.flatMap((h, i) => (docs[i] ? [{ ...h, document: docs[i]! }] : [])) };
  }

  /** A ranking by row ids (no documents): what {@link topInfluences}, the demo and the benchmarks use. */
  async rankByIds(input: {
    queryId: number;
    factorSetId: number;
    spaceId: number;
    k: number;
    sign: InfluenceSign;
    mode: InfluenceMode;
    /** Default NONE. */
    normalize?: InfluenceNormalization;
    efSearch?: number;
    /** Default true; false recomputes (and does not store) the ranking, e.g. to time the search itself. */
    useCache?: boolean;
  }): Promise<InfluenceRanking> {
    const { k } = input;
    assertTopK(k);
    oneOf(input.sign, INFLUENCE_SIGNS, 'sign');
    oneOf(input.mode, INFLUENCE_MODES, 'mode');
    const normalization = oneOf(input.normalize ?? 'NONE', INFLUENCE_NORMALIZATIONS, 'normalize');
    const space = await this.spaces.runtime(input.spaceId);
    const provenance = (factorSet: { name: string; modelId: number }) => {
      if (space.record.modelId !== factorSet.modelId) {
        throw new InvalidInputError(`projection space ${space.record.name} and factor set ${factorSet.name} belong to different models`, {
          code: 'PROVENANCE_MISMATCH',
        });
      }
    };
    // one statement reads the stamp and the factor set; only a missing gradient looks the set up
    const stamp = await this.vectors.rankingStamp(input.queryId, input.factorSetId, input.spaceId);
    if (!stamp) {
      const factorSet = await this.factorSets.byId(input.factorSetId);
      provenance(factorSet);
      throw new NotFoundError(`query ${input.queryId} has no gradient under factor set ${factorSet.name} yet (tracebase queries add / createInfluenceQueries)`);
    }
    provenance(stamp.factorSet);
    const noVector = () => new NotFoundError(`query ${input.queryId} has no vector in projection space ${space.record.name}`);
    if (stamp.projectedAt === null) throw noVector();
    const key = JSON.stringify([input.queryId, input.factorSetId, input.spaceId, k, input.sign, input.mode, normalization, input.efSearch ?? null]);
    // EXACT: a complete whole-corpus pass answers from the stored scores; the stamp moves with it.
    // The query's score arguments (its damping) are part of what a cached ranking depends on.
    const coverage = input.mode === 'EXACT' ? await this.exact.coverage(input.queryId, input.factorSetId, input.spaceId) : undefined;
    const validity = `${stamp.gradient.id}:${stamp.gradient.damping}:${stamp.projectedAt}:${stamp.vectorsVersion}:${coverage ? `${coverage.scored}/${coverage.documents}` : ''}`;
    const useCache = input.useCache ?? true;
    const cached = useCache ? this.cache.get(key, validity) : undefined;
    if (cached) return cached;
    if (!useCache) return this.ranking(input, space, stamp, normalization, noVector, coverage);
    // identical rankings asked meanwhile (aliases of one request, concurrent requests) wait for this one
    return this.computing.run(`${key}@${validity}`, async () => {
      const ranking = await this.ranking(input, space, stamp, normalization, noVector, coverage);
      this.cache.set(key, validity, ranking);
      return ranking;
    });
  }

  /** The ranking itself (no cache): from a complete whole-corpus exact pass when there is one, else computed. */
  private ranking(
    input: Parameters<InfluenceSearchService['rankByIds']>[0],
    space: Parameters<InfluenceSearchService['rank']>[1],
    stamp: RankingStamp,
    normalization: InfluenceNormalization,
    noVector: () => Error,
    coverage: { documents: number; complete: boolean } | undefined,
  ): Promise<InfluenceRanking> {
    return coverage?.complete
      ? this.storedExact(input, stamp.factorSet.name, stamp.gradient, normalization, coverage.documents)
      : this.rank(input, space, stamp.gradient, normalization, noVector);
  }

  /**
   * EXACT from a complete whole-corpus pass: the top (or bottom) k of the stored exact scores of
   * every document of the space, ordered in SQL (by score or score / ‖x_d‖). Layer scores always;
   * token scores where the pass stored them (each query's top and bottom `tokenTopK`).
   */
  private async storedExact(
    input: { queryId: number; factorSetId: number; spaceId: number; k: number; sign: InfluenceSign },
    factorSetName: string,
    gradient: QueryGradientRow,
    normalization: InfluenceNormalization,
    documents: number,
  ): Promise<InfluenceRanking> {
    const rows = await this.exact.storedRanking({
      queryId: input.queryId,
      factorSetId: input.factorSetId,
      spaceId: input.spaceId,
      order: input.sign === 'NEGATIVE' ? 'lowest' : 'highest',
      offset: 0,
      limit: input.k,
      by: normalization === 'GRADIENT_NORM' ? 'normalized' : 'score',
      tokens: true,
      // as for rescored candidates: a document whose exact influence has the other sign is not
      // influential in the asked direction, so the ranking holds fewer than k when the corpus does
      sign: input.sign === 'NEGATIVE' ? 'negative' : 'positive',
    });
    const dampings = [...new Set(rows.map((r) => r.damping))].join(', ') || 'none';
    return {
      mode: 'EXACT',
      sign: input.sign,
      normalization,
      nats: gradient.nats,
      candidates: documents,
      basis: {
        wholeCorpus: true,
        description: `whole corpus, exact: ${documents} documents, factor set ${factorSetName}, damping ${dampings}`,
        documents,
        rescored: 0,
      },
      oppositeSign: documents - (rows[0]?.matching ?? 0),
      hits: rows.map((r, i) => ({
        documentId: r.documentId,
        rank: i + 1,
        score: r.score,
        perNat: r.perNat,
        normalizedScore: normalizedScore(r.score, r.gradientNorm),
        gradientNorm: r.gradientNorm,
        layerScores: r.layerScores,
        ...(r.hasTokens ? { tokenScores: r.tokenScores } : {}),
      })),
    };
  }

  /** The ranking itself (no cache): ANN, then RERANKED or EXACT. */
  private async rank(
    input: { queryId: number; factorSetId: number; spaceId: number; k: number; sign: InfluenceSign; mode: InfluenceMode; efSearch?: number },
    space: ProjectionSpaceRuntime,
    gradient: QueryGradientRow,
    normalization: InfluenceNormalization,
    noVector: () => Error,
  ): Promise<InfluenceRanking> {
    const { k } = input;
    const byNorm = normalization === 'GRADIENT_NORM';
    const y = await this.vectors.findProjection(gradient.id, input.spaceId);
    if (!y) throw noVector();
    // asked only when a search finds nothing: an empty space is an error, not an empty ranking
    const assertVectorsExist = async () => {
      if (!(await this.stored.hasAny(input.spaceId))) {
        throw new NotFoundError(`projection space ${space.record.name} holds no document vectors (tracebase ingest)`);
      }
    };
    const negative = input.sign === 'NEGATIVE';
    const sketch = negative ? y.sketch.map((v) => -v) : y.sketch;
    // ef_search is sized by the candidates a reranking needs explored (recall grows with the rows
    // the graph search explores); a sketch that is the whole vector (in half precision) already
    // orders them almost exactly, so only its leading ones are fetched and reranked
    const explored = input.mode === 'ANN' ? k : rerankCandidates(k);
    const wholeSketch = space.record.sketchDims === space.record.fullDims;
    const candidatesWanted = input.mode !== 'ANN' && wholeSketch ? Math.min(explored, wholeSketchRerankPool(k)) : explored;
    // raw rankings search the whitened sketches when the space has a search basis: same inner
    // products, a geometry the graph search can walk (src/math/search-whitening.ts)
    const whitening = byNorm ? null : await this.spaces.searchWhitening(input.spaceId);
    const whitened = whitening ? whitenQuery(whitening, sketch) : null;
    const search = {
      spaceId: input.spaceId,
      query: whitened?.vector ?? sketch,
      column: whitened ? ('search' as const) : ('sketch' as const),
      k: candidatesWanted,
      efSearch: input.efSearch ?? Math.min(1000, Math.max(100, 2 * explored)),
      iterativeScan: true,
      normalized: byNorm,
    };
    const perNat = (score: number) => (gradient.nats > 0 ? score / gradient.nats : 0);
    const hit = (documentId: number, score: number, gradientNorm: number) => ({
      documentId,
      score,
      perNat: perNat(score),
      normalizedScore: normalizedScore(score, gradientNorm),
      gradientNorm,
    });
    const ranked = <T extends { score: number; normalizedScore: number }>(rows: T[]) => {
      const key = (r: T) => (byNorm ? r.normalizedScore : r.score);
      return rows.sort((a, b) => (negative ? key(a) - key(b) : key(b) - key(a))).map((r, i) => ({ ...r, rank: i + 1 }));
    };
    const base = { sign: input.sign, normalization, nats: gradient.nats };
    if (input.mode === 'ANN') {
      const found = await this.documents.searchInnerProduct(search);
      if (found.length === 0) await assertVectorsExist();
      // ⟨T⁻ᵀy / c, T s⟩ · c = ⟨y, s⟩: the sketch scores, whichever basis served them; the search
      // ran with −y for NEGATIVE, so its raw scores are −⟨y, x⟩
      const rawScale = (whitened?.scale ?? 1) * (negative ? -1 : 1);
      const scored = found.map((h) => hit(h.documentId, h.rawScore * rawScale, h.gradientNorm));
      return {
        ...base,
        mode: 'ANN',
        candidates: found.length,
        basis: {
          wholeCorpus: false,
          description: `approximate: HNSW search over the sketches, ${found.length} candidates`,
          documents: found.length,
          rescored: 0,
        },
        hits: ranked(scored).slice(0, k),
      };
    }
    // the candidates are reranked in the search's own statement (ordered by score or by
    // score / ‖x_d‖, for the sign): EXACT recomputes the leading ones
    const exactPool = Math.min(Math.max(2 * k, 20), 200);
    const reranked = await this.documents.searchReranked(search, {
      query: y.full,
      k: Math.min(input.mode === 'EXACT' ? exactPool : k, candidatesWanted),
      ascending: negative,
      by: byNorm ? 'normalized' : 'score',
    });
    if (reranked.candidates === 0) await assertVectorsExist();
    if (input.mode === 'EXACT') {
      const rows = await this.exact.score({
        queryId: input.queryId,
        factorSetId: input.factorSetId,
        spaceId: input.spaceId,
        documentIds: reranked.hits.map((h) => h.documentId),
        sign: input.sign,
      });
      const norms = new Map(reranked.hits.map((h) => [h.documentId, h.gradientNorm]));
      const scored = rows.map((r) => ({
        documentId: r.documentId,
        score: r.score,
        perNat: r.perNat,
        normalizedScore: normalizedScore(r.score, norms.get(r.documentId) ?? 0),
        gradientNorm: norms.get(r.documentId) ?? 0,
        layerScores: r.layerScores,
        tokenScores: r.tokenScores,
      }));
      // documents whose exact influence has the other sign are not influential in the asked
      // direction: they are left out and counted, rather than ranked among the asked sign's
      const asked = scored.filter((r) => (negative ? r.score < 0 : r.score > 0));
      return {
        ...base,
        mode: 'EXACT',
        candidates: reranked.hits.length,
        basis: {
          wholeCorpus: false,
          description: `exact influence of the reranked top ${reranked.hits.length} of ${reranked.candidates} ANN candidates (no complete whole-corpus exact scores: scoreCorpus(method: EXACT))`,
          documents: reranked.candidates,
          rescored: reranked.hits.length,
        },
        oppositeSign: scored.length - asked.length,
        hits: ranked(asked).slice(0, k),
      };
    }
    return {
      ...base,
      mode: 'RERANKED',
      candidates: reranked.candidates,
      basis: {
        wholeCorpus: false,
        description: `projected: ${reranked.candidates} ANN candidates reranked by ⟨y_q, x_d⟩ with the full projections`,
        documents: reranked.candidates,
        rescored: 0,
      },
      hits: reranked.hits.map((h, i) => ({ ...hit(h.documentId, h.score, h.gradientNorm), rank: i + 1 })),
    };
  }
}

/** Refuses a k outside 1 to {@link MAX_TOP_K}. */
function assertTopK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_TOP_K) throw new InvalidInputError(`k must be an integer from 1 to ${MAX_TOP_K}, got ${k}`, { argument: 'k' });
}

/**
 * How many ANN candidates RERANKED and EXACT explore for a top-k: max(10k, 200), at most 10 000.
 * When the sketch is a sub-block of the full vector, its inner products are only correlated
 * with the full ones and the true top-k hides deep in the sketch's ranking: all of them are
 * reranked. When the sketch is the whole vector the two orders agree up to half-precision
 * rounding, but the count still matters: it sizes what the HNSW search explores (ef_search
 * max(100, 2 × candidates), at most 1 000), and on inner products recall grows with the rows
 * explored (docs/benchmarks.md, Retrieval: ef_search 400 gave recall@100 0.87 at 10k documents
 * where 1 000 gave 1.00); only the leading {@link wholeSketchRerankPool} of them are returned
 * and reranked.
 */
export function rerankCandidates(k: number): number {
  return Math.min(Math.max(10 * k, 200), 10_000);
}

/**
 * How many of the ANN candidates are reranked with the full vectors when the sketch is the whole
 * vector: max(2k, k + 100). Their sketch scores differ from the full ones only by half-precision
 * rounding (≈ 1e-3 of ‖y‖‖x‖), far less than the gap between rank k and rank 2k.
 */
export function wholeSketchRerankPool(k: number): number {
  return Math.max(2 * k, k + 100);
}

/** score / ‖x_d‖, with 0 for a zero norm (a document with no gradient has no direction). */
export function normalizedScore(score: number, gradientNorm: number): number {
  return gradientNorm > 0 ? score / gradientNorm : 0;
}
