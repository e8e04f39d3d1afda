import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { correlationMatrix } from '../math/statistics/correlation-matrix.statistic';
import { cumulativePositiveShare, DEFAULT_SHARE_PERCENTILES } from '../math/statistics/cumulative-share.statistic';
import { sourceOverRepresentation } from '../math/statistics/over-representation.statistic';
import { powerLawFit } from '../math/statistics/power-law-fit.statistic';
import { topK } from '../math/statistics/top-k.selection';
import { CORRELATION_METHODS, type CorrelationMethod } from '../domain/correlation-method';
import { INFLUENCE_SIGNS, type InfluenceSign } from '../domain/influence-sign';
import { oneOf } from '../domain/one-of';
import { SCORE_METHODS, type CachedScoreMethod } from '../domain/score-method';
import type { DocumentProjectionAnalyticsRepository } from '../repositories/document-projections/document-projection-analytics.repository';
import type { DocumentRepository } from '../repositories/document.repository';
import type { DocumentLabelRepository } from '../repositories/document-label.repository';
import type { DocumentLabelRecord } from '../domain/document-label.record';
import type { FactorSetRepository } from '../repositories/factor-set.repository';
import type { InfluenceScoreRepository } from '../repositories/influence-score.repository';
import type { ProjectionSpaceRepository } from '../repositories/projection-space.repository';
import type { QueryRepository } from '../repositories/query.repository';
import type { QueryRecord } from '../domain/query.record';
import type { QueryVectorRepository } from '../repositories/query-vector.repository';

/** Where whole-corpus scores come from, stated with every analysis. */
export interface ScoreBasis {
  /**
   * PROJECTED: ⟨y_q, x_d⟩ with the full projections of every document of the space (not the
   * exact EK-FAC influence). EXACT: the cached exact influence I(q,d) of the documents it was
   * computed for (topInfluences mode EXACT), not the whole corpus — except in the whole-corpus
   * analyses, which use it only when every document of the space has it (scoreCorpus EXACT).
   */
  readonly method: 'PROJECTED' | 'EXACT';
  /**
   * Whether the whole-corpus scores came from the cache that scoreCorpus jobs fill (used when
   * every query has a cached score for every document of the space: EXACT first, then
   * PROJECTED), rather than computed on the fly (PROJECTED only).
   */
  readonly cached?: boolean;
  /** Documents scored (EXACT: the most of any query of the analysis; each result has its own count). */
  readonly documents: number;
  readonly factorSetId: number;
  readonly spaceId: number;
}

interface QueryScores {
  readonly query: QueryRecord;
  readonly nats: number;
  readonly documentIds: Int32Array;
  readonly scores: Float64Array;
  readonly sources: string[];
  /** Where the scores came from (absent: PROJECTED, computed on the fly). */
  readonly basis?: { readonly method: 'PROJECTED' | 'EXACT'; readonly cached: boolean };
}

/** An analysis request as GraphQL makes it: queries of one model, the factor set and the space by name. */
export interface AnalysisRequest {
  /** 1 to {@link MAX_ANALYSIS_QUERIES} query row ids, of one model. */
  readonly queryIds: readonly number[];
  readonly factorSet: string;
  readonly space: string;
}

/** A {@link ScoreBasis} with the factor set's and the space's names. */
export interface NamedScoreBasis extends ScoreBasis {
  readonly factorSetName: string;
  readonly spaceName: string;
}

/** Which end of the ranking topK takes for each sign. */
const TOP_K_END: Readonly<Record<InfluenceSign, 'positive' | 'negative'>> = { POSITIVE: 'positive', NEGATIVE: 'negative' };

/** Most queries in one analysis. */
export const MAX_ANALYSIS_QUERIES = 100;

/** Influence of one query summed per tracked layer (docs/design.md "Mathematics: Token-wise and layer-wise influence"). */
export interface LayerTotals {
  readonly queryId: number;
  readonly nats: number;
  /** Documents summed over: every document of the space (PROJECTED) or those with a cached exact score (EXACT). */
  readonly documents: number;
  readonly layers: readonly {
    readonly layer: string;
    /** Σ_d max(I_ℓ(q,d), 0). */
    readonly totalPositive: number;
    /** Σ_d min(I_ℓ(q,d), 0). */
    readonly totalNegative: number;
    /** totalPositive / nats(q) (0 when nats is 0). */
    readonly totalPositivePerNat: number;
    /** totalNegative / nats(q). */
    readonly totalNegativePerNat: number;
  }[];
}

/**
 * The paper's analyses (Ruis et al. Findings 1–5) over the projected influence of every document
 * of a projection space: correlations between queries, the distribution and concentration of
 * influence, whether the answer appears in the top k, and which sources are over-represented.
 */
export class InfluenceAnalysisService {
  constructor(
    private readonly queries: QueryRepository,
    private readonly vectors: QueryVectorRepository,
    private readonly projections: DocumentProjectionAnalyticsRepository,
    private readonly documents: DocumentRepository,
    private readonly spaces: ProjectionSpaceRepository,
    private readonly factorSets: FactorSetRepository,
    private readonly exactScores: InfluenceScoreRepository,
    private readonly labels?: DocumentLabelRepository,
  ) {}

  /**
   * The ids behind an {@link AnalysisRequest}: every query must exist and belong to one model;
   * the factor set and the space are that model's, by name.
   */
  private async resolve(
    request: AnalysisRequest,
  ): Promise<{ queryIds: readonly number[]; factorSetId: number; spaceId: number; names: { factorSetName: string; spaceName: string } }> {
    const { queryIds } = request;
    assertQueryCount(queryIds);
    const records = await this.queries.findManyByIds(queryIds);
    const missing = queryIds.filter((_, i) => records[i] === null);
    if (missing.length > 0) {
      throw new NotFoundError(
        `no influence ${missing.length === 1 ? 'query' : 'queries'} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
        {
          argument: 'queryIds',
        },
      );
    }
    const first = records[0]!;
    if (records.some((q) => q!.modelId !== first.modelId)) throw new InvalidInputError('the queries of one analysis must belong to one model');
    const factorSet = await this.factorSets.findByName(first.modelId, request.factorSet);
    if (!factorSet) throw new NotFoundError(`no factor set named "${request.factorSet}" for this model (tracebase factors register)`);
    const space = await this.spaces.findByName(first.modelId, request.space);
    if (!space) throw new NotFoundError(`this model has no projection space "${request.space}"`);
    return { queryIds, factorSetId: factorSet.id, spaceId: space.id, names: { factorSetName: factorSet.name, spaceName: space.name } };
  }

  /** Finding 1 (influenceCorrelation): {@link correlationByIds} by names. */
  async influenceCorrelation(request: AnalysisRequest & { readonly method: CorrelationMethod }) {
    const method = oneOf(request.method, CORRELATION_METHODS, 'method');
    const r = await this.resolve(request);
    const out = await this.correlationByIds(r.queryIds, method, r.factorSetId, r.spaceId);
    return { ...out, basis: { ...out.basis, ...r.names } };
  }

  /** Finding 2 (influenceDistribution): {@link distributionByIds} of exactly one query, by names. */
  async influenceDistribution(request: AnalysisRequest) {
    const r = await this.resolve(request);
    if (r.queryIds.length !== 1) throw new InvalidInputError('influenceDistribution takes one query', { argument: 'queryIds' });
    const out = await this.distributionByIds(r.queryIds[0]!, r.factorSetId, r.spaceId);
    return { ...out, basis: { ...out.basis, ...r.names } };
  }

  /** Finding 3 (answerInTopK): {@link answerInTopKByIds} by names. */
  async answerInTopK(request: AnalysisRequest & { readonly k: number }) {
    assertTopK(request.k);
    const r = await this.resolve(request);
    const out = await this.answerInTopKByIds(r.queryIds, request.k, r.factorSetId, r.spaceId);
    return { ...out, basis: { ...out.basis, ...r.names } };
  }

  /** Findings 4–5 (sourceOverRepresentation): {@link sourceOverRepresentationByIds} by names, for a sign. */
  async sourceOverRepresentation(request: AnalysisRequest & { readonly ks: readonly number[]; readonly sign: InfluenceSign }) {
    const sign = oneOf(request.sign, INFLUENCE_SIGNS, 'sign');
    assertCutOffs(request.ks);
    const r = await this.resolve(request);
    const out = await this.sourceOverRepresentationByIds(r.queryIds, request.ks, TOP_K_END[sign], r.factorSetId, r.spaceId);
    return { basis: { ...out.basis, ...r.names }, sign, rows: out.rows };
  }

  /** Layer-wise influence (influenceLayerTotals): {@link layerTotalsByIds} by names. */
  async influenceLayerTotals(request: AnalysisRequest & { readonly method: CachedScoreMethod }): Promise<{ basis: NamedScoreBasis; results: LayerTotals[] }> {
    const method = oneOf(request.method, SCORE_METHODS, 'method');
    const r = await this.resolve(request);
    const out = await this.layerTotalsByIds(r.queryIds, method, r.factorSetId, r.spaceId);
    return { ...out, basis: { ...out.basis, ...r.names } };
  }

  private async scores(queryIds: readonly number[], factorSetId: number, spaceId: number): Promise<QueryScores[]> {
    assertQueryCount(queryIds);
    const records = await this.queries.findManyByIds(queryIds);
    const cached = await this.cachedScores(records, factorSetId, spaceId);
    if (cached) return cached;
    const out: QueryScores[] = [];
    for (const [i, query] of records.entries()) {
      if (!query) throw new NotFoundError(`query ${queryIds[i]} does not exist`);
      const gradient = await this.vectors.findGradient(query.id, factorSetId);
      if (!gradient) throw new NotFoundError(`query ${query.id} has no gradient under factor set ${factorSetId}`);
      const y = await this.vectors.findProjection(gradient.id, spaceId);
      if (!y) throw new NotFoundError(`query ${query.id} has no vector in projection space ${spaceId}`);
      const all = await this.projections.scoreAll(spaceId, y.full);
      if (all.scores.length === 0) throw new NotFoundError(`projection space ${spaceId} holds no document vectors`);
      out.push({ query, nats: gradient.nats, ...all });
    }
    return out;
  }

  /**
   * Whole-space scores cached by scoreCorpus jobs, when complete: the EXACT influence when every
   * query has it for every document of the space, else the PROJECTED scores cached in the space
   * when every query has those (and the queries' cached scores cover the same documents); null
   * (compute on the fly) otherwise.
   */
  private async cachedScores(records: readonly (QueryRecord | null)[], factorSetId: number, spaceId: number): Promise<QueryScores[] | null> {
    if (records.some((q) => q === null)) return null;
    for (const method of ['EXACT', 'PROJECTED'] as const) {
      let complete = true;
      for (const query of records) {
        const c = await this.exactScores.coverage(query!.id, factorSetId, spaceId, method);
        if (c.documents === 0 || c.cached !== c.documents) {
          complete = false;
          break;
        }
      }
      if (!complete) continue;
      const out: QueryScores[] = [];
      for (const query of records) {
        const gradient = await this.vectors.findGradient(query!.id, factorSetId);
        if (!gradient) return null;
        const scores = await this.exactScores.cachedScores(query!.id, factorSetId, spaceId, method);
        out.push({ query: query!, nats: gradient.nats, ...scores, basis: { method, cached: true } });
      }
      const n = out[0]!.documentIds.length;
      // documents added between the checks: try the next kind of cache, else compute on the fly
      if (n === 0 || out.some((o) => o.documentIds.length !== n || o.documentIds.some((id, i) => id !== out[0]!.documentIds[i]))) continue;
      return out;
    }
    return null;
  }

  private basis(s: QueryScores, factorSetId: number, spaceId: number): ScoreBasis {
    return { method: s.basis?.method ?? 'PROJECTED', cached: s.basis?.cached ?? false, documents: s.scores.length, factorSetId, spaceId };
  }

  /** Finding 1: Pearson or Spearman correlation of the queries' scores over all documents. */
  async correlationByIds(queryIds: readonly number[], method: 'pearson' | 'spearman', factorSetId: number, spaceId: number) {
    const all = await this.scores(queryIds, factorSetId, spaceId);
    const m = correlationMatrix(
      all.map((s) => s.scores),
      method,
    );
    const rows: number[][] = [];
    for (let i = 0; i < m.rows; i++) rows.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
    return { basis: this.basis(all[0]!, factorSetId, spaceId), queryIds: all.map((s) => s.query.id), matrix: rows };
  }

  /** Finding 2: total positive / negative influence per nat, concentration and a power-law fit of the top. */
  async distributionByIds(queryId: number, factorSetId: number, spaceId: number, topN = 500) {
    const [s] = await this.scores([queryId], factorSetId, spaceId);
    let positive = 0;
    let negative = 0;
    for (const v of s!.scores) {
      if (v > 0) positive += v;
      else negative += v;
    }
    const perNat = (v: number) => (s!.nats > 0 ? v / s!.nats : 0);
    const share = cumulativePositiveShare(s!.scores, DEFAULT_SHARE_PERCENTILES);
    const fit = powerLawFit(s!.scores, Math.min(topN, share.positiveCount));
    return {
      basis: this.basis(s!, factorSetId, spaceId),
      nats: s!.nats,
      totalPositivePerNat: perNat(positive),
      totalNegativePerNat: perNat(negative),
      positiveDocuments: share.positiveCount,
      cumulativeShare: share.points.map((p) => ({ percentile: p.percentile, k: p.k, share: p.share })),
      powerLaw: { alpha: fit.alpha, rSquared: fit.rSquared, n: fit.n },
    };
  }

  /**
   * Finding 3: whether a document among the top k contains one of the query's answer keywords;
   * those documents with their rank and, where annotators labelled them, their labels.
   */
  async answerInTopKByIds(queryIds: readonly number[], k: number, factorSetId: number, spaceId: number) {
    assertTopK(k);
    const all = await this.scores(queryIds, factorSetId, spaceId);
    const results = [];
    for (const s of all) {
      const top = topK(s.scores, Math.min(k, s.scores.length), 'positive');
      const ids = Array.from(top.indices, (i) => s.documentIds[i]!);
      const docs = await this.documents.findManyByIds(ids);
      const keywords = s.query.answerKeywords.map((w) => w.toLowerCase()).filter((w) => w.length > 0);
      const containing = docs
        .map((d, rank) => ({ d, rank: rank + 1 }))
        .filter(({ d }) => d && keywords.some((w) => d.text.toLowerCase().includes(w)))
        .map(({ d, rank }) => ({ documentId: d!.id, rank }));
      const labels = this.labels ? await this.labels.findByDocuments(containing.map((c) => c.documentId)) : new Map<number, DocumentLabelRecord[]>();
      results.push({
        queryId: s.query.id,
        keywords: s.query.answerKeywords,
        found: containing.length > 0,
        documents: containing.map((c) => ({ ...c, labels: labels.get(c.documentId) ?? [] })),
      });
    }
    return { basis: this.basis(all[0]!, factorSetId, spaceId), k, results };
  }

  /** Findings 4–5: share of each source in the top k divided by its share in the corpus, averaged over the queries. */
  async sourceOverRepresentationByIds(queryIds: readonly number[], ks: readonly number[], sign: 'positive' | 'negative', factorSetId: number, spaceId: number) {
    const all = await this.scores(queryIds, factorSetId, spaceId);
    const sourceNames = [...new Set(all[0]!.sources)].sort();
    const code = new Map(sourceNames.map((n, i) => [n, i]));
    const maxK = Math.max(...ks);
    if (maxK > all[0]!.scores.length) throw new InvalidInputError(`k ${maxK} exceeds the ${all[0]!.scores.length} documents scored`);
    const sums = ks.map(() => new Float64Array(sourceNames.length));
    for (const s of all) {
      const ranking = topK(s.scores, maxK, sign).indices;
      const result = sourceOverRepresentation(
        ranking,
        s.sources.map((n) => code.get(n)!),
        sourceNames.length,
        ks,
      );
      ks.forEach((_, j) => {
        for (let c = 0; c < sourceNames.length; c++) sums[j]![c]! += result.ratios.data[j * sourceNames.length + c]! / all.length;
      });
    }
    return {
      basis: this.basis(all[0]!, factorSetId, spaceId),
      sign,
      rows: ks.flatMap((k, j) => sourceNames.map((source, c) => ({ k, source, ratio: sums[j]![c]! }))),
    };
  }

  /**
   * Layer-wise influence (docs/design.md "Mathematics": the per-ℓ terms of I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩): per
   * query and tracked layer ℓ, the total positive Σ_d max(I_ℓ(q,d), 0) and total negative
   * Σ_d min(I_ℓ(q,d), 0) influence over the documents scored. PROJECTED: I_ℓ(q,d) ≈ ⟨y_ℓ, x_{d,ℓ}⟩,
   * the layer blocks of the full projections (layout from the space's layer ranks: blocks of
   * r_o·r_i entries in layer order), over every document of the space; summed over ℓ,
   * positive + negative = Σ_d ⟨y_q, x_d⟩. EXACT: the cached per-layer exact scores
   * (`influence_scores.layer_scores`, layers named as the factor set's), over the documents
   * whose exact influence has been computed.
   */
  async layerTotalsByIds(
    queryIds: readonly number[],
    method: 'PROJECTED' | 'EXACT',
    factorSetId: number,
    spaceId: number,
  ): Promise<{ basis: ScoreBasis; results: LayerTotals[] }> {
    assertQueryCount(queryIds);
    oneOf(method, SCORE_METHODS, 'method');
    const space = await this.spaces.findById(spaceId);
    if (!space) throw new NotFoundError(`projection space ${spaceId} does not exist`);
    const factorSet = await this.factorSets.findById(factorSetId);
    if (!factorSet) throw new NotFoundError(`factor set ${factorSetId} does not exist`);
    const records = await this.queries.findManyByIds(queryIds);
    const results: LayerTotals[] = [];
    const layer = (name: string, totalPositive: number, totalNegative: number, nats: number) => ({
      layer: name,
      totalPositive,
      totalNegative,
      totalPositivePerNat: nats > 0 ? totalPositive / nats : 0,
      totalNegativePerNat: nats > 0 ? totalNegative / nats : 0,
    });
    for (const [i, query] of records.entries()) {
      if (!query) throw new NotFoundError(`query ${queryIds[i]} does not exist`);
      const gradient = await this.vectors.findGradient(query.id, factorSetId);
      if (!gradient) throw new NotFoundError(`query ${query.id} has no gradient under factor set ${factorSet.name}`);
      if (method === 'PROJECTED') {
        const y = await this.vectors.findProjection(gradient.id, spaceId);
        if (!y) throw new NotFoundError(`query ${query.id} has no vector in projection space ${space.name}`);
        let offset = 0;
        const slices = space.layerRanks.map((l) => {
          const length = l.outRank * l.inRank;
          const slice = { offset, query: y.full.subarray(offset, offset + length) };
          offset += length;
          return slice;
        });
        if (offset !== space.fullDims || y.full.length !== space.fullDims) {
          throw new InvalidInputError(
            `projection space ${space.name}: its layer ranks cover ${offset} dimensions, its vectors have ${space.fullDims} (query vector ${y.full.length})`,
          );
        }
        const sums = await this.projections.layerScoreSums(spaceId, space.fullDims, slices);
        if (sums.documents === 0) throw new NotFoundError(`projection space ${space.name} holds no document vectors`);
        results.push({
          queryId: query.id,
          nats: gradient.nats,
          documents: sums.documents,
          layers: space.layerRanks.map((l, k) => layer(l.layer, sums.positive[k]!, sums.negative[k]!, gradient.nats)),
        });
      } else {
        const sums = await this.exactScores.exactLayerSums(query.id, factorSetId);
        if (sums.documents === 0) {
          throw new NotFoundError(
            `query ${query.id} has no exact influence scores under factor set ${factorSet.name} yet (topInfluences with mode EXACT computes them)`,
          );
        }
        const names = factorSetLayerNames(factorSet.arguments);
        if (sums.layers < 0 || (names !== null && names.length !== sums.layers)) {
          throw new InvalidInputError(`the cached exact scores of query ${query.id} do not have one layer score per layer of factor set ${factorSet.name}`);
        }
        results.push({
          queryId: query.id,
          nats: gradient.nats,
          documents: sums.documents,
          layers: sums.positive.map((p, k) => layer(names?.[k] ?? `layer ${k}`, p, sums.negative[k]!, gradient.nats)),
        });
      }
    }
    return {
      basis: { method, documents: Math.max(...results.map((r) => r.documents)), factorSetId, spaceId },
      results,
    };
  }
}

/** Largest k of answerInTopK and of each sourceOverRepresentation cut-off. */
export const MAX_ANALYSIS_K = 10_000;

/** Most cut-offs of one sourceOverRepresentation. */
export const MAX_CUT_OFFS = 100;

/** Refuses a k outside 1 to {@link MAX_ANALYSIS_K} (answerInTopK). */
function assertTopK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_ANALYSIS_K) {
    throw new InvalidInputError(`k must be an integer from 1 to ${MAX_ANALYSIS_K}, got ${k}`, { argument: 'k' });
  }
}

/** Refuses no cut-offs, more than {@link MAX_CUT_OFFS}, or one outside 1 to {@link MAX_ANALYSIS_K} (naming the first bad one). */
function assertCutOffs(ks: readonly number[]): void {
  if (ks.length === 0) throw new InvalidInputError('ks must be one or more cut-offs k, got none', { argument: 'ks' });
  if (ks.length > MAX_CUT_OFFS) throw new InvalidInputError(`ks: at most ${MAX_CUT_OFFS} cut-offs, got ${ks.length}`, { argument: 'ks' });
  const bad = ks.find((k) => !Number.isInteger(k) || k < 1 || k > MAX_ANALYSIS_K);
  if (bad !== undefined) throw new InvalidInputError(`ks must be integers from 1 to ${MAX_ANALYSIS_K}, got ${bad}`, { argument: 'ks' });
}

/** Refuses fewer than 1 or more than {@link MAX_ANALYSIS_QUERIES} queries. */
function assertQueryCount(queryIds: readonly number[]): void {
  if (queryIds.length === 0 || queryIds.length > MAX_ANALYSIS_QUERIES) {
    throw new InvalidInputError(`queryIds: give 1 to ${MAX_ANALYSIS_QUERIES} queries, got ${queryIds.length}`, { argument: 'queryIds' });
  }
}

/** Tracked layer names of a factor set, in its order, from its registered provenance (`arguments.layers`); null when absent. */
function factorSetLayerNames(args: unknown): string[] | null {
  const layers = (args as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers)) return null;
  const names = layers.map((l) => (typeof l === 'string' ? l : (l as { name?: unknown } | null)?.name));
  return names.every((n): n is string => typeof n === 'string') ? names : null;
}
