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
import { DEFAULT_TOKEN_TOP_K, MAX_EXACT_CANDIDATES, type ExactInfluenceService } from './exact-influence.service';
import type { FactorSetService } from './factor-set.service';

/** Documents scored by one statement of a PROJECTED job. */
export const PROJECTED_CHUNK_DOCUMENTS = 5000;
/** Documents of one EXACT job, scored for every query of the pass (their gradients are recomputed once: the expensive part). */
export const EXACT_CHUNK_DOCUMENTS = 100;
/** Most queries of one scoreCorpus request (one EXACT pass contracts them all in each document batch). */
export const MAX_SCORED_QUERIES = 500;

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
 * recomputed once per document for all queries of the pass, {@link EXACT_CHUNK_DOCUMENTS} documents
 * per job; token-wise scores only for each query's top-k and bottom-k), cached in
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
  async scoreCorpus(request: {
    queryIds: readonly number[];
    factorSet: string;
    space: string;
    method: CachedScoreMethod;
    tokenTopK?: number;
  }): Promise<CorpusScoringPlan> {
    const method = oneOf(request.method, SCORE_METHODS, 'method');
    if (request.queryIds.length === 0 || request.queryIds.length > MAX_SCORED_QUERIES) {
      throw new InvalidInputError(`give 1 to ${MAX_SCORED_QUERIES} queries to score, got ${request.queryIds.length}`, { argument: 'queryIds' });
    }
    const [first] = await this.queries.findManyByIds(request.queryIds.slice(0, 1));
    if (!first) throw new NotFoundError(`no influence query ${request.queryIds[0]}`);
    const factorSet = await this.factorSets.byName(first.modelId, request.factorSet);
    const space = await this.spaces.findByName(first.modelId, request.space);
    if (!space) throw new NotFoundError(`this model has no projection space "${request.space}"`);
    return this.enqueue({ queryIds: request.queryIds, factorSetId: factorSet.id, spaceId: space.id, method, tokenTopK: request.tokenTopK });
  }

  /**
   * Queues the scoring of every document of the space for each query: one PROJECTED job per
   * query, or EXACT jobs over the documents not cached yet. Job ids are deterministic in the
   * work (query, factor set, space, and the documents / cache state), so repeating a request
   * queues nothing new until documents are added. Queries must have their vector in the space
   * (PROJECTED) or their gradient under the factor set (EXACT).
   */
  async enqueue(input: {
    queryIds: readonly number[];
    factorSetId: number;
    spaceId: number;
    method: CachedScoreMethod;
    tokenTopK?: number;
  }): Promise<CorpusScoringPlan> {
    const { queryIds, factorSetId, spaceId } = input;
    const tokenTopK = input.tokenTopK ?? DEFAULT_TOKEN_TOP_K;
    if (!Number.isInteger(tokenTopK) || tokenTopK < 0 || tokenTopK > MAX_EXACT_CANDIDATES)
      throw new InvalidInputError(`tokenTopK must be an integer from 0 to ${MAX_EXACT_CANDIDATES}, got ${tokenTopK}`, { argument: 'tokenTopK' });
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
    if (method === 'EXACT')
      return this.enqueueExactPass(
        [...new Set(queryIds)].sort((a, b) => a - b),
        factorSetId,
        spaceId,
        space.name,
        tokenTopK,
      );
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
      const key = `${method}:query:${queryId}:factor-set:${factorSetId}:space:${spaceId}:documents:${coverage.documents}:cached:${coverage.cached}`;
      const data: ScoreCorpusJob = { method, queryId, factorSetId, spaceId };
      await this.queue.sendMany(SCORE_CORPUS, [{ key, data }]);
      jobIds.push(jobIdFor(SCORE_CORPUS, key));
    }
    return { method, documents, jobIds, alreadyCached };
  }

  /**
   * EXACT: one pass for all the queries not yet complete — one job per {@link EXACT_CHUNK_DOCUMENTS}
   * documents that some of them lack, each job scoring its documents for every query of the pass
   * (pairs cached already are kept).
   */
  private async enqueueExactPass(queryIds: number[], factorSetId: number, spaceId: number, spaceName: string, tokenTopK: number): Promise<CorpusScoringPlan> {
    const coverage = await this.scores.exactCoverage(queryIds, factorSetId, spaceId);
    if (coverage.documents === 0) throw new NotFoundError(`projection space ${spaceName} holds no document vectors`);
    const pending = queryIds.filter((q) => coverage.cached.get(q) !== coverage.documents);
    const alreadyCached = queryIds.length - pending.length;
    const missing = new Set<number>();
    for (const q of pending) for (const d of await this.scores.uncachedDocuments(q, factorSetId, spaceId, 'EXACT')) missing.add(d);
    const documents = [...missing].sort((a, b) => a - b);
    const jobs = [];
    for (let i = 0; i < documents.length; i += EXACT_CHUNK_DOCUMENTS) {
      const documentIds = documents.slice(i, i + EXACT_CHUNK_DOCUMENTS);
      const key = `EXACT:queries:${pending.join(',')}:factor-set:${factorSetId}:space:${spaceId}:documents:${documentIds.join(',')}`;
      const data: ScoreCorpusJob = { method: 'EXACT', queryId: pending[0]!, queryIds: pending, factorSetId, spaceId, documentIds, tokenTopK };
      jobs.push({ key, data });
    }
    if (jobs.length > 0) await this.queue.sendMany(SCORE_CORPUS, jobs);
    return { method: 'EXACT', documents: coverage.documents, jobIds: jobs.map((j) => jobIdFor(SCORE_CORPUS, j.key)), alreadyCached };
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

  /** EXACT: the job's documents for every query of the pass, through the influence-totals head (pairs cached already are kept). */
  private async runExact(job: ScoreCorpusJob): Promise<ScoreCorpusResult> {
    const documentIds = job.documentIds ?? [];
    if (documentIds.length === 0) throw new InvalidInputError('an EXACT score-corpus job needs its documents');
    const done = await this.exact.scorePass({
      queryIds: job.queryIds ?? [job.queryId],
      factorSetId: job.factorSetId,
      spaceId: job.spaceId,
      documentIds,
      tokenTopK: job.tokenTopK,
    });
    return { method: 'EXACT', scored: documentIds.length, cached: done.cached };
  }
}
