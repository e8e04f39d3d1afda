import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import type { DocumentRepository } from '../repositories/document.repository';
import type { ExactScoreRow, InfluenceScoreRepository, StoredExactScore } from '../repositories/influence-score.repository';
import type { QueryRepository } from '../repositories/query.repository';
import type { QueryVectorRepository } from '../repositories/query-vector.repository';
import { dampingKey, parseDampingKey } from '../influence/score-arguments';
import { DEFAULT_DAMPING } from '../math/damping';
import type { EngineCache } from './engine-cache';
import type { FactorSetService } from './factor-set.service';
import type { InfluenceSign } from '../domain/influence-sign';
import type { ProjectionSpaceService } from './projection-space.service';
import type { TotalsQueries } from '../influence/corpus-influence.pipeline';
import type { GradientEngine } from '../engine/gradient.engine';

/** Most candidates recomputed exactly in one request. */
export const MAX_EXACT_CANDIDATES = 200;

/** Token-wise scores kept per query by a whole-corpus pass: its top-k and bottom-k documents. */
export const DEFAULT_TOKEN_TOP_K = 20;

/** What one document batch of a whole-corpus pass did. */
export interface PassBatchResult {
  /** Scores newly cached (query × document pairs not cached before). */
  readonly cached: number;
  /** Queries whose whole-corpus scores this batch completed (their top/bottom-k token scores were computed). */
  readonly completed: number[];
}

/**
 * Exact EK-FAC influence (docs/design.md "Mathematics") of candidate documents on a query: each candidate's
 * gradient is recomputed by the engine and contracted with M_ℓ(q), giving
 * I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩, its per-layer terms and the token scores τ_t (which sum to it).
 * M_ℓ(q) is computed with the damping the query's stored gradient under the factor set was
 * computed with (its score argument; the default when it has none), so exact scores and the
 * query's vectors always agree on λ. Results are cached in `influence_scores` with that damping;
 * cached documents are not recomputed.
 */
export class ExactInfluenceService {
  constructor(
    private readonly queries: QueryRepository,
    private readonly documents: DocumentRepository,
    private readonly scores: InfluenceScoreRepository,
    private readonly factorSets: FactorSetService,
    private readonly spaces: ProjectionSpaceService,
    private readonly engines: EngineCache,
    private readonly gradients: QueryVectorRepository,
  ) {}

  /** The pass whose preconditioned queries are held (one pass at a time per process). */
  private pass: { key: string; queries: Promise<TotalsQueries> } | undefined;

  /**
   * One document batch of a whole-corpus pass (docs/design.md "Mathematics: Influence"): the
   * documents' per-token a_t, δ_t are computed once and contracted with every query of the pass
   * through the influence-totals head; totals and layer terms are cached (pairs cached before are
   * kept). The queries are preconditioned once per pass and process, not per batch. A query whose
   * scores over the space are then complete gets token-wise scores for its top-k and bottom-k
   * documents (`tokenTopK`, 0: none).
   */
  async scorePass(input: {
    queryIds: readonly number[];
    factorSetId: number;
    spaceId: number;
    documentIds: readonly number[];
    tokenTopK?: number;
  }): Promise<PassBatchResult> {
    const queryIds = [...new Set(input.queryIds)].sort((a, b) => a - b);
    if (queryIds.length === 0 || input.documentIds.length === 0) throw new InvalidInputError('a whole-corpus pass needs queries and documents');
    const { loaded } = await this.spaces.runtime(input.spaceId);
    const engine = await this.engines.get(loaded);
    const dampings = await this.queryDampings(queryIds, input.factorSetId);
    const queries = await this.passQueries(queryIds, input.factorSetId, input.spaceId, engine, dampings);
    const docs = (await this.documents.findManyByIds([...input.documentIds])).filter((d) => d !== null);
    const sequences = docs.map((d) => ({ id: String(d.id), tokens: loaded.tokenizer.encode(d.text, { field: `document ${d.id}` }), scoreFrom: 0 }));
    const { exactInfluenceTotals } = await import('../influence/corpus-influence.pipeline');
    const rows: { queryId: number; documentId: number; damping: string; score: number; perNat: number; layerScores: number[] }[] = [];
    for await (const perQuery of exactInfluenceTotals(engine, queries, sequences))
      for (const r of perQuery)
        rows.push({
          queryId: Number(r.queryId),
          documentId: Number(r.documentId),
          damping: dampings.get(Number(r.queryId))!,
          score: r.score,
          perNat: r.perNat,
          layerScores: Array.from(r.layers),
        });
    const cached = await this.scores.saveExactTotals(input.factorSetId, rows);
    const coverage = await this.scores.exactCoverage(queryIds, input.factorSetId, input.spaceId);
    const completed = queryIds.filter((q) => coverage.documents > 0 && coverage.cached.get(q) === coverage.documents);
    const k = input.tokenTopK ?? DEFAULT_TOKEN_TOP_K;
    if (k > 0) for (const q of completed) await this.completeTokens(q, input.factorSetId, input.spaceId, k);
    return { cached, completed };
  }

  /** Computes the token scores of a query's top-k and bottom-k cached exact documents where they are missing. */
  async completeTokens(queryId: number, factorSetId: number, spaceId: number, k: number): Promise<void> {
    const ends = await Promise.all(
      (['highest', 'lowest'] as const).map((order) => this.scores.exactRanking({ queryId, factorSetId, spaceId, order, offset: 0, limit: k })),
    );
    const need = [
      ...new Set(
        ends
          .flat()
          .filter((r) => !r.hasTokens)
          .map((r) => r.documentId),
      ),
    ];
    for (let i = 0; i < need.length; i += MAX_EXACT_CANDIDATES)
      await this.score({ queryId, factorSetId, spaceId, documentIds: need.slice(i, i + MAX_EXACT_CANDIDATES), sign: 'POSITIVE' });
  }

  /** Whole-corpus exact coverage of one query over the documents of a space. */
  async coverage(queryId: number, factorSetId: number, spaceId: number): Promise<{ documents: number; scored: number; complete: boolean }> {
    const c = await this.scores.exactCoverage([queryId], factorSetId, spaceId);
    const scored = c.cached.get(queryId) ?? 0;
    return { documents: c.documents, scored, complete: c.documents > 0 && scored === c.documents };
  }

  /** A page of a query's stored exact ranking over a space (see InfluenceScoreRepository.exactRanking). */
  storedRanking(input: Parameters<InfluenceScoreRepository['exactRanking']>[0]): Promise<StoredExactScore[]> {
    return this.scores.exactRanking(input);
  }

  /** Each query's damping under the factor set: its stored gradient's (a score-arguments key), the default when it has none. */
  private async queryDampings(queryIds: readonly number[], factorSetId: number): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const id of queryIds) out.set(id, (await this.gradients.findGradient(id, factorSetId))?.damping ?? dampingKey(DEFAULT_DAMPING));
    return out;
  }

  /**
   * The pass's queries, preconditioned once per pass and process, each under its own damping
   * (queries of one damping together); the key includes the dampings, so a query recomputed under
   * another damping starts a new preparation.
   */
  private passQueries(
    queryIds: readonly number[],
    factorSetId: number,
    spaceId: number,
    engine: GradientEngine,
    dampings: ReadonlyMap<number, string>,
  ): Promise<TotalsQueries> {
    const key = `${factorSetId}:${spaceId}:${queryIds.map((q) => `${q}@${dampings.get(q)}`).join(',')}`;
    if (this.pass?.key !== key) {
      const queries = (async () => {
        const records = await this.queries.findManyByIds(queryIds);
        const { factors } = await this.factorSets.load(factorSetId);
        const { loaded } = await this.spaces.runtime(spaceId);
        const { preconditionQueries } = await import('../influence/query-gradient.pipeline');
        const { prepareTotalsQueries } = await import('../influence/corpus-influence.pipeline');
        const inputs = records.map((q, i) => {
          if (!q) throw new NotFoundError(`query ${queryIds[i]} does not exist`);
          return { id: String(q.id), prompt: q.prompt, completion: q.completion };
        });
        const preconditioned = new Map<string, Awaited<ReturnType<typeof preconditionQueries>>[number]>();
        for (const damping of new Set(dampings.values())) {
          const group = inputs.filter((q) => dampings.get(Number(q.id)) === damping);
          const done = await preconditionQueries(engine, loaded.tokenizer, factors, group, { rank: 'auto', damping: parseDampingKey(damping) });
          for (const q of done) preconditioned.set(q.id, q);
        }
        return prepareTotalsQueries(
          engine,
          inputs.map((q) => preconditioned.get(q.id)!),
        );
      })();
      this.pass = { key, queries };
      queries.catch(() => {
        if (this.pass?.key === key) this.pass = undefined;
      });
    }
    return this.pass.queries;
  }

  /** Exact scores of `documentIds` (ranked by `sign`), computing those not cached. */
  async score(input: { queryId: number; factorSetId: number; spaceId: number; documentIds: readonly number[]; sign: InfluenceSign }): Promise<ExactScoreRow[]> {
    if (input.documentIds.length > MAX_EXACT_CANDIDATES) {
      throw new InvalidInputError(`at most ${MAX_EXACT_CANDIDATES} documents are recomputed exactly in one request, got ${input.documentIds.length}`);
    }
    const cached = await this.scores.findExact(input.queryId, input.factorSetId, input.documentIds);
    // a whole-corpus pass stores totals only: those documents get their token scores now
    const missing = input.documentIds.filter((id) => !cached.has(id) || cached.get(id)!.tokenScores.length === 0);
    if (missing.length > 0) {
      const [query] = await this.queries.findManyByIds([input.queryId]);
      if (!query) throw new NotFoundError(`query ${input.queryId} does not exist`);
      const stored = await this.gradients.findGradient(input.queryId, input.factorSetId);
      const damping = stored ? parseDampingKey(stored.damping) : DEFAULT_DAMPING;
      const { factors } = await this.factorSets.load(input.factorSetId);
      const { loaded } = await this.spaces.runtime(input.spaceId);
      const engine = await this.engines.get(loaded);
      const { preconditionQueries } = await import('../influence/query-gradient.pipeline');
      const { exactInfluence } = await import('../influence/exact-influence.pipeline');
      const [pre] = await preconditionQueries(
        engine,
        loaded.tokenizer,
        factors,
        [{ id: String(query.id), prompt: query.prompt, completion: query.completion }],
        { rank: 'auto', damping },
      );
      const docs = (await this.documents.findManyByIds(missing)).filter((d) => d !== null);
      const sequences = docs.map((d) => ({ id: String(d.id), tokens: loaded.tokenizer.encode(d.text, { field: `document ${d.id}` }), scoreFrom: 0 }));
      const fresh: ExactScoreRow[] = [];
      for await (const rows of exactInfluence(engine, [pre!], sequences, { tokens: true })) {
        const r = rows[0]!;
        fresh.push({
          documentId: Number(r.documentId),
          score: r.score,
          perNat: r.perNat,
          layerScores: Array.from(r.layers),
          tokenScores: Array.from(r.tokens ?? []),
        });
      }
      await this.scores.saveExact(input.queryId, input.factorSetId, dampingKey(damping), fresh);
      for (const f of fresh) cached.set(f.documentId, f);
    }
    const all = input.documentIds.map((id) => cached.get(id)).filter((r): r is ExactScoreRow => r !== undefined);
    return all.sort((a, b) => (input.sign === 'POSITIVE' ? b.score - a.score : a.score - b.score));
  }
}
