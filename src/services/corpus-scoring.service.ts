import { oneOf } from '../domain/one-of';
import { SCORE_CORPUS } from '../domain/queue-name';
import { SCORE_METHODS, type CachedScoreMethod } from '../domain/score-method';
import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import type { ScoreCorpusJob } from '../jobs/job-names';
import { jobIdFor, type JobQueue } from '../jobs/job-queue';
import type { InfluenceScoreRepository } from '../repositories/influence-score.repository';
import type { ProjectionSpaceRepository } from '../repositories/projection-space.repository';
import type { QueryRepository } from '../repositories/query.repository';
import type { QueryVectorRepository } from '../repositories/query-vector.repository';
import type { ExactInfluenceService } from './exact-influence.service';
import type { FactorSetService } from './factor-set.service';

/** Documents scored by one statement of a PROJECTED job. */
export const PROJECTED_CHUNK_DOCUMENTS = 5000;
/** Documents of one EXACT job (their gradients are recomputed: the expensive part). */
export const EXACT_CHUNK_DOCUMENTS = 50;
/** Most queries of one scoreCorpus request. */
export const MAX_SCORED_QUERIES = 100;

/** What a scoreCorpus request queued. */
export interface CorpusScoringPlan {
  readonly method: CachedScoreMethod;
  /** Documents of the space (those with a full projection): what each query is scored over. */
  readonly documents: number;
  /** pg-boss ids of the jobs sent (or already queued under the same ids), in query order. */
  readonly jobIds: string[];
  /** Queries whose scores were all cached already (no job needed). */
  readonly alreadyCached: number;
}

/** What one score-corpus job did (stored by the queue as its output). */
export interface ScoreCorpusResult {
  readonly method: CachedScoreMethod;
  /** Documents the job went through. */
  readonly scored: number;
  /** PROJECTED: scores newly cached (the others were cached already). EXACT: scores cached now. */
  readonly cached: number;
}

/**
 * Whole-corpus scores as cached batch jobs, for the analyses (docs/design.md "Mathematics"): for each query and
 * every document of a projection space, PROJECTED ⟨y_q, x_d⟩ (computed in SQL, chunked by
 * document id) or the EXACT EK-FAC influence I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩ (gradients
 * recomputed by the engine, {@link EXACT_CHUNK_DOCUMENTS} documents per job), cached in
 * `influence_scores`. Both are idempotent: cached scores are kept, never duplicated.
 */
export class CorpusScoringService {
  constructor(
    private readonly queries: QueryRepository,
    private readonly vectors: QueryVectorRepository,
    private readonly scores: InfluenceScoreRepository,
    private readonly spaces: ProjectionSpaceRepository,
    private readonly factorSets: FactorSetService,
    private readonly exact: ExactInfluenceService,
    private readonly queue: JobQueue,
  ) {}

  /**
   * scoreCorpus: validates the request (1 to {@link MAX_SCORED_QUERIES} queries of one model, a
   * method), looks the factor set and the space up by name among the first query's model's, then
   * {@link enqueue}s the scoring.
   */
  async scoreCorpus(request: { queryIds: readonly number[]; factorSet: string; space: string; method: CachedScoreMethod }): Promise<CorpusScoringPlan> {
    const method = oneOf(request.method, SCORE_METHODS, 'method');
    if (request.queryIds.length === 0 || request.queryIds.length > MAX_SCORED_QUERIES) {
      throw new InvalidInputError(`give 1 to ${MAX_SCORED_QUERIES} queries to score, got ${request.queryIds.length}`, { argument: 'queryIds' });
    }
    const [first] = await this.queries.findManyByIds(request.queryIds.slice(0, 1));
    if (!first) throw new NotFoundError(`no influence query ${request.queryIds[0]}`);
    const factorSet = await this.factorSets.byName(first.modelId, request.factorSet);
    const space = await this.spaces.findByName(first.modelId, request.space);
    if (!space) throw new NotFoundError(`this model has no projection space "${request.space}"`);
    return this.enqueue({ queryIds: request.queryIds, factorSetId: factorSet.id, spaceId: space.id, method });
  }

  /**
   * Queues the scoring of every document of the space for each query: one PROJECTED job per
   * query, or EXACT jobs over the documents not cached yet. Job ids are deterministic in the
   * work (query, factor set, space, and the documents / cache state), so repeating a request
   * queues nothing new until documents are added. Queries must have their vector in the space
   * (PROJECTED) or their gradient under the factor set (EXACT).
   */
  async enqueue(input: { queryIds: readonly number[]; factorSetId: number; spaceId: number; method: CachedScoreMethod }): Promise<CorpusScoringPlan> {
    const { queryIds, factorSetId, spaceId } = input;
    const method = oneOf(input.method, SCORE_METHODS, 'method');
    if (queryIds.length === 0 || queryIds.length > MAX_SCORED_QUERIES)
      throw new InvalidInputError(`give 1 to ${MAX_SCORED_QUERIES} queries, got ${queryIds.length}`);
    const space = await this.spaces.findById(spaceId);
    if (!space) throw new NotFoundError(`projection space ${spaceId} does not exist`);
    const factorSet = await this.factorSets.byId(factorSetId);
    if (factorSet.modelId !== space.modelId) {
      throw new InvalidInputError(`factor set ${factorSet.name} and projection space ${space.name} belong to different models`, {
        code: 'PROVENANCE_MISMATCH',
      });
    }
    const records = await this.queries.findManyByIds(queryIds);
    for (const [i, query] of records.entries()) {
      if (!query) throw new NotFoundError(`query ${queryIds[i]} does not exist`);
      if (query.modelId !== space.modelId)
        throw new InvalidInputError(`query ${query.id} belongs to another model than projection space ${space.name}`, { code: 'PROVENANCE_MISMATCH' });
      const gradient = await this.vectors.findGradient(query.id, factorSetId);
      if (!gradient) throw new NotFoundError(`query ${query.id} has no gradient under factor set ${factorSet.name} yet (createInfluenceQueries computes it)`);
      if (method === 'PROJECTED' && !(await this.vectors.findProjection(gradient.id, spaceId))) {
        throw new NotFoundError(`query ${query.id} has no vector in projection space ${space.name} (createInfluenceQueries with this space computes it)`);
      }
    }
    await this.queue.start();
    const jobIds: string[] = [];
    let documents = 0;
    let alreadyCached = 0;
    for (const queryId of [...new Set(queryIds)]) {
      const coverage = await this.scores.coverage(queryId, factorSetId, spaceId, method);
      documents = coverage.documents;
      if (coverage.documents === 0) throw new NotFoundError(`projection space ${space.name} holds no document vectors`);
      if (coverage.cached === coverage.documents) {
        alreadyCached++;
        continue;
      }
      const base = `${method}:query:${queryId}:factor-set:${factorSetId}:space:${spaceId}`;
      if (method === 'PROJECTED') {
        const key = `${base}:documents:${coverage.documents}:cached:${coverage.cached}`;
        const data: ScoreCorpusJob = { method, queryId, factorSetId, spaceId };
        await this.queue.sendMany(SCORE_CORPUS, [{ key, data }]);
        jobIds.push(jobIdFor(SCORE_CORPUS, key));
      } else {
        const missing = await this.scores.uncachedDocuments(queryId, factorSetId, spaceId, 'EXACT');
        for (let i = 0; i < missing.length; i += EXACT_CHUNK_DOCUMENTS) {
          const documentIds = missing.slice(i, i + EXACT_CHUNK_DOCUMENTS);
          const key = `${base}:documents:${documentIds.join(',')}`;
          const data: ScoreCorpusJob = { method, queryId, factorSetId, spaceId, documentIds };
          await this.queue.sendMany(SCORE_CORPUS, [{ key, data }]);
          jobIds.push(jobIdFor(SCORE_CORPUS, key));
        }
      }
    }
    return { method, documents, jobIds, alreadyCached };
  }

  /** Runs one score-corpus job (the worker's handler calls this). */
  async run(job: ScoreCorpusJob): Promise<ScoreCorpusResult> {
    return job.method === 'EXACT' ? this.runExact(job) : this.runProjected(job);
  }

  /** PROJECTED: ⟨y_q, x_d⟩ of every document of the space, {@link PROJECTED_CHUNK_DOCUMENTS} per statement. */
  private async runProjected(job: ScoreCorpusJob): Promise<ScoreCorpusResult> {
    const space = await this.spaces.findById(job.spaceId);
    if (!space) throw new NotFoundError(`projection space ${job.spaceId} does not exist`);
    const gradient = await this.vectors.findGradient(job.queryId, job.factorSetId);
    if (!gradient || !(await this.vectors.findProjection(gradient.id, job.spaceId))) {
      throw new NotFoundError(`query ${job.queryId} has no vector in projection space ${space.name} under factor set ${job.factorSetId}`);
    }
    let after = 0;
    let scored = 0;
    let cached = 0;
    for (;;) {
      const chunk = await this.scores.cacheProjectedChunk({
        queryId: job.queryId,
        factorSetId: job.factorSetId,
        spaceId: job.spaceId,
        fullDims: space.fullDims,
        afterDocumentId: after,
        limit: PROJECTED_CHUNK_DOCUMENTS,
      });
      scored += chunk.scanned;
      cached += chunk.inserted;
      if (chunk.lastDocumentId === null || chunk.scanned < PROJECTED_CHUNK_DOCUMENTS) break;
      after = chunk.lastDocumentId;
    }
    return { method: 'PROJECTED', scored, cached };
  }

  /** EXACT: the job's documents through the exact-influence pipeline (cached ones are not recomputed). */
  private async runExact(job: ScoreCorpusJob): Promise<ScoreCorpusResult> {
    const documentIds = job.documentIds ?? [];
    if (documentIds.length === 0) throw new InvalidInputError('an EXACT score-corpus job needs its documents');
    const rows = await this.exact.score({ queryId: job.queryId, factorSetId: job.factorSetId, spaceId: job.spaceId, documentIds, sign: 'POSITIVE' });
    return { method: 'EXACT', scored: documentIds.length, cached: rows.length };
  }
}
