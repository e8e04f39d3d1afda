import { InvalidInputError } from '../errors/tracebase.error';
import { tokenizeQuery } from '../influence/query-gradient.pipeline';
import { parseQueriesJsonl } from '../influence/query-jsonl.parser';
import type { ComputeQueryGradientsJob } from '../jobs/job-names';
import { dampingKey, relativeDamping } from '../influence/score-arguments';
import { DEFAULT_DAMPING, type DampingSpec } from '../math/damping';
import { jobIdFor, type JobQueue } from '../jobs/job-queue';
import type { JobStatus } from '../domain/job-status';
import { isQueryKind, QUERY_KINDS, type QueryKindName } from '../domain/query-kind';
import type { QueryGradientState } from '../domain/query-gradient-state';
import type { QueryInputData } from '../domain/query-input';
import type { QueryRecord } from '../domain/query.record';
import { COMPUTE_QUERY_GRADIENTS, type QueueName } from '../domain/queue-name';
import type { NewQuery, QueryRepository } from '../repositories/query.repository';
import type { FactorSetService } from './factor-set.service';
import type { ModelRegistryService } from './model-registry.service';
import type { Page } from './page';
import type { ProjectionSpaceService } from './projection-space.service';
import type { QueryComputation, QueryGradientService } from './query-gradient.service';

/** Most queries accepted in one call. */
export const MAX_QUERIES_PER_CALL = 500;
/** Most queries computed by one compute-query-gradients job. */
export const QUERIES_PER_JOB = 50;

/** Where new queries are computed, by names: the registered model, its factor set and projection spaces. */
export interface QueryComputationTarget {
  readonly model: string;
  readonly factorSet: string;
  /** At least one. */
  readonly spaces: readonly string[];
  /** Relative damping of M_ℓ(q): λ_ℓ = damping × mean(Λ_ℓ) (a score argument; null or absent: 0.1). */
  readonly damping?: number | null;
}

/** Where `tracebase queries add` computes queries in-process: a factor directory (registered if new) and spaces by name. */
export interface QueryFactorsTarget {
  readonly model: string;
  /** Factor directory from `tracebase factors fit`. */
  readonly factorsDir: string;
  /** Name to register it under (default: the directory name). */
  readonly factorsName?: string;
  /** At least one. */
  readonly spaces: readonly string[];
  /** The damping M_ℓ(q) is computed with (a score argument; default 0.1 × mean(Λ_ℓ)). */
  readonly damping?: DampingSpec;
}

/** Where job states are read from: the job queue, or a per-request memo of it. */
export interface JobStatusReader {
  status(queue: QueueName, id: string): Promise<JobStatus | null>;
}

/** Longest job error message reported. */
const MAX_ERROR_CHARS = 2000;

/** The message of a serialised error as pg-boss stores it in a job's `output` (`{ message }`, `{ value: … }`). */
function jobErrorMessage(output: unknown): string | null {
  if (output === null || typeof output !== 'object') return null;
  const o = output as { message?: unknown; value?: unknown };
  const value = o.value as { message?: unknown } | string | undefined;
  const message = typeof o.message === 'string' ? o.message : typeof value === 'string' ? value : typeof value?.message === 'string' ? value.message : null;
  return message === null ? null : message.slice(0, MAX_ERROR_CHARS);
}

/** Influence queries: a prompt (context) and a completion (scored), with their kind and answer. */
export class QueryService {
  constructor(
    private readonly queries: QueryRepository,
    private readonly models: ModelRegistryService,
    private readonly factorSets: FactorSetService,
    private readonly spaces: ProjectionSpaceService,
    private readonly gradients: QueryGradientService,
    private readonly queue: JobQueue,
  ) {}

  /** Validates and stores queries for a model; every bad one is named before anything is stored. */
  async create(modelName: string, inputs: readonly QueryInputData[]): Promise<{ record: QueryRecord; created: boolean }[]> {
    if (inputs.length === 0 || inputs.length > MAX_QUERIES_PER_CALL) {
      throw new InvalidInputError(`give 1 to ${MAX_QUERIES_PER_CALL} queries, got ${inputs.length}`);
    }
    const { model, loaded } = await this.models.loadRegistered(modelName);
    const rows: NewQuery[] = inputs.map((q, i) => {
      const where = `query ${q.externalId ?? `#${i + 1}`}`;
      if (typeof q.prompt !== 'string') throw new InvalidInputError(`${where}: prompt must be a string`);
      if (typeof q.completion !== 'string' || q.completion.length === 0) {
        throw new InvalidInputError(`${where}: completion is empty: there is nothing to score`, { query: where, field: 'completion' });
      }
      // refuse what the model cannot score (empty completion, longer than the context) before storing anything
      tokenizeQuery(loaded.tokenizer, { id: q.externalId ?? `#${i + 1}`, prompt: q.prompt, completion: q.completion }, loaded.dimensions.contextLength);
      const kind = q.kind ?? 'OTHER';
      if (!isQueryKind(kind)) throw new InvalidInputError(`${where}: kind must be one of ${QUERY_KINDS.join(', ')}`, { query: where, field: 'kind' });
      return {
        modelId: model.id,
        externalId: q.externalId ?? null,
        prompt: q.prompt,
        completion: q.completion,
        kind,
        answerKeywords: [...(q.answerKeywords ?? [])],
        tags: [...(q.tags ?? [])],
      };
    });
    return this.queries.createMany(rows);
  }

  /**
   * createInfluenceQueries: looks the factor set and the projection spaces up by name among the
   * model's, then {@link enqueue}s the queries' computation.
   */
  async submit(target: QueryComputationTarget, inputs: readonly QueryInputData[]): Promise<{ records: QueryRecord[]; jobIds: string[] }> {
    const damping = relativeDamping(target.damping);
    const { factorSetId, spaceIds } = await this.resolveTarget(target);
    return this.enqueue(target.model, factorSetId, spaceIds, inputs, damping);
  }

  /** {@link submit} for queries given as JSONL text (src/influence/query-jsonl.parser.ts; errors name the line). */
  submitJsonl(target: QueryComputationTarget, jsonl: string): Promise<{ records: QueryRecord[]; jobIds: string[] }> {
    return this.submit(target, parseQueriesJsonl(jsonl, 'jsonl'));
  }

  /**
   * `tracebase queries add`: registers the factor directory (if new), looks the spaces up by
   * name, stores the queries and computes them in this process (nats, M_ℓ(q), vectors, greedy
   * answer). Returns each query with its computation, in input order, and the names used.
   */
  async addAndCompute(
    target: QueryFactorsTarget,
    inputs: readonly QueryInputData[],
  ): Promise<{ factorSet: string; spaces: number; results: { record: QueryRecord; computation: QueryComputation }[] }> {
    if (target.spaces.length === 0) throw new InvalidInputError('give at least one projection space to compute the query vectors in', { argument: 'spaces' });
    const { record: factorSet } = await this.factorSets.register(target.model, target.factorsDir, target.factorsName);
    const spaces = await Promise.all(target.spaces.map((s) => this.spaces.byModelId(factorSet.modelId, s)));
    const created = await this.create(target.model, inputs);
    const computed = await this.gradients.computeWithAnswers(
      created.map((c) => c.record.id),
      factorSet.id,
      spaces.map((s) => s.id),
      target.damping ? { damping: target.damping } : {},
    );
    return { factorSet: factorSet.name, spaces: spaces.length, results: computed.map((computation, i) => ({ record: created[i]!.record, computation })) };
  }

  /** The factor set's and the spaces' ids, by name among the model's. */
  private async resolveTarget(target: QueryComputationTarget): Promise<{ factorSetId: number; spaceIds: number[] }> {
    if (target.spaces.length === 0) throw new InvalidInputError('give at least one projection space to compute the query vectors in', { argument: 'spaces' });
    const { model } = await this.models.loadRegistered(target.model);
    const factorSet = await this.factorSets.byName(model.id, target.factorSet);
    const spaces = await Promise.all(target.spaces.map((s) => this.spaces.byModelId(model.id, s)));
    return { factorSetId: factorSet.id, spaceIds: spaces.map((s) => s.id) };
  }

  /**
   * Stores queries and queues their computation (nats, M_ℓ(q) under the factor set, y_q in each
   * space, the model's greedy answer) on the job queue as compute-query-gradients jobs of at most
   * {@link QUERIES_PER_JOB} queries, with deterministic ids from the query ids, the factor set and
   * the spaces and the damping: sending the same work again is a no-op while its job exists. Returns the queries
   * at once (with their job ids) and the job ids.
   */
  async enqueue(
    modelName: string,
    factorSetId: number,
    spaceIds: readonly number[],
    inputs: readonly QueryInputData[],
    damping: DampingSpec = DEFAULT_DAMPING,
  ): Promise<{ records: QueryRecord[]; jobIds: string[] }> {
    if (spaceIds.length === 0) throw new InvalidInputError('give at least one projection space to compute the query vectors in');
    const spaces = [...new Set(spaceIds)].sort((a, b) => a - b);
    const created = await this.create(modelName, inputs);
    const ids = [...new Set(created.map((c) => c.record.id))].sort((a, b) => a - b);
    await this.queue.start();
    const jobIds: string[] = [];
    for (let i = 0; i < ids.length; i += QUERIES_PER_JOB) {
      const chunk = ids.slice(i, i + QUERIES_PER_JOB);
      const key = `queries:${chunk.join(',')}:factor-set:${factorSetId}:spaces:${spaces.join(',')}:damping:${dampingKey(damping)}`;
      const jobId = jobIdFor(COMPUTE_QUERY_GRADIENTS, key);
      await this.queries.setGradientJob(chunk, jobId);
      const data: ComputeQueryGradientsJob = { queryIds: chunk, factorSetId, spaceIds: spaces, damping: dampingKey(damping) };
      await this.queue.sendMany(COMPUTE_QUERY_GRADIENTS, [{ key, data }]);
      jobIds.push(jobId);
    }
    const records = await this.queries.findManyByIds(created.map((c) => c.record.id));
    return { records: records.map((r, i) => r ?? created[i]!.record), jobIds };
  }

  /**
   * A query's computation state. With a queued job: PENDING while it is created, active or
   * waiting for a retry; FAILED (with its error) once failed or cancelled; READY once completed.
   * A job no longer kept by the queue, or none (computed in-process): READY when nats(q) is
   * stored, else PENDING (no job) or FAILED (job gone without a result).
   */
  async gradientState(query: QueryRecord, queue: JobStatusReader = this.queue): Promise<QueryGradientState> {
    const jobId = query.gradientJobId;
    if (jobId === null) return { status: query.nats === null ? 'PENDING' : 'READY', error: null, jobId };
    const job = await queue.status(COMPUTE_QUERY_GRADIENTS, jobId);
    if (!job) {
      return query.nats === null
        ? { status: 'FAILED', error: `job ${jobId} is no longer in the queue and stored no result`, jobId }
        : { status: 'READY', error: null, jobId };
    }
    switch (job.state) {
      case 'completed':
        return { status: 'READY', error: null, jobId };
      case 'failed':
      case 'cancelled':
        return { status: 'FAILED', error: jobErrorMessage(job.output) ?? `job ${jobId} was ${job.state}`, jobId };
      default:
        return { status: 'PENDING', error: job.state === 'retry' ? jobErrorMessage(job.output) : null, jobId };
    }
  }

  /** A job's state on the queue (what {@link gradientState} reads; a per-request memo wraps it). */
  jobStatus(queue: QueueName, id: string): Promise<JobStatus | null> {
    return this.queue.status(queue, id);
  }

  getMany(ids: readonly number[]): Promise<(QueryRecord | null)[]> {
    return this.queries.findManyByIds(ids);
  }

  page(filter: { modelId?: number; kind?: QueryKindName }, afterId: number, first: number): Promise<Page<QueryRecord>> {
    return this.queries.page(filter, afterId, first);
  }
}
