import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import type { DocumentRepository } from '../repositories/document.repository';
import type { ExactScoreRow, InfluenceScoreRepository } from '../repositories/influence-score.repository';
import type { QueryRepository } from '../repositories/query.repository';
import type { QueryVectorRepository } from '../repositories/query-vector.repository';
import { dampingKey, parseDampingKey } from '../influence/score-arguments';
import { DEFAULT_DAMPING } from '../math/damping';
import type { EngineCache } from './engine-cache';
import type { FactorSetService } from './factor-set.service';
import type { InfluenceSign } from '../domain/influence-sign';
import type { ProjectionSpaceService } from './projection-space.service';

/** Most candidates recomputed exactly in one request. */
export const MAX_EXACT_CANDIDATES = 200;

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

  /** Exact scores of `documentIds` (ranked by `sign`), computing those not cached. */
  async score(input: { queryId: number; factorSetId: number; spaceId: number; documentIds: readonly number[]; sign: InfluenceSign }): Promise<ExactScoreRow[]> {
    if (input.documentIds.length > MAX_EXACT_CANDIDATES) {
      throw new InvalidInputError(`at most ${MAX_EXACT_CANDIDATES} documents are recomputed exactly in one request, got ${input.documentIds.length}`);
    }
    const cached = await this.scores.findExact(input.queryId, input.factorSetId, input.documentIds);
    const missing = input.documentIds.filter((id) => !cached.has(id));
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
