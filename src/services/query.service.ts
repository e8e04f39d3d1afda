import { InvalidInputError } from '../errors/tracebase.error';
import { tokenizeQuery } from '../influence/query-gradient.pipeline';
import { type ComputeQueryGradientsJob } from '../jobs/job-names';
import { COMPUTE_QUERY_GRADIENTS, type QueueName } from '../domain/queue-name';
import { jobIdFor, type JobQueue } from '../jobs/job-queue';
import type { JobStatus } from '../domain/job-status';
import type { NewQuery, QueryRepository } from '../repositories/query.repository';
import type { QueryKindName } from '../domain/query-kind';
import type { QueryRecord } from '../domain/query.record';
import type { ModelRegistryService } from './model-registry.service';
import { parseQueriesJsonl } from './query-jsonl.parser';
import type { Page } from './page';
import type { QueryGradientState } from '../domain/query-gradient-state';
import type { QueryInputData } from '../domain/query-input';

const KINDS: readonly QueryKindName[] = ['FACTUAL', 'REASONING', 'CONTROL', 'OTHER'];
/** Most queries accepted in one call. */
export const MAX_QUERIES_PER_CALL = 500;
/** Most queries computed by one compute-query-gradients job. */
export const QUERIES_PER_JOB = 50;

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
      tokenizeQuery(loaded.tokenizer, { id: q.externalId ?? `#${i + 1}`, prompt: q.prompt, completion: q.completion }, loaded.config.nPositions);
      const kind = q.kind ?? 'OTHER';
      if (!KINDS.includes(kind)) throw new InvalidInputError(`${where}: kind must be one of ${KINDS.join(', ')}`);
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
   * Stores queries and queues their computation (nats, M_ℓ(q) under the factor set, y_q in each
   * space, the model's greedy answer) as compute-query-gradients jobs of at most
   * {@link QUERIES_PER_JOB} queries, with deterministic ids from the query ids, the factor set and
   * the spaces: sending the same work again is a no-op while its job exists. Returns the queries
   * at once (with their job ids) and the job ids.
   */
  async submit(queue: JobQueue, modelName: string, factorSetId: number, spaceIds: readonly number[], inputs: readonly QueryInputData[]): Promise<{ records: QueryRecord[]; jobIds: string[] }> {
    if (spaceIds.length === 0) throw new InvalidInputError('give at least one projection space to compute the query vectors in');
    const spaces = [...new Set(spaceIds)].sort((a, b) => a - b);
    const created = await this.create(modelName, inputs);
    const ids = [...new Set(created.map((c) => c.record.id))].sort((a, b) => a - b);
    await queue.start();
    const jobIds: string[] = [];
    for (let i = 0; i < ids.length; i += QUERIES_PER_JOB) {
      const chunk = ids.slice(i, i + QUERIES_PER_JOB);
      const key = `queries:${chunk.join(',')}:factor-set:${factorSetId}:spaces:${spaces.join(',')}`;
      const jobId = jobIdFor(COMPUTE_QUERY_GRADIENTS, key);
      await this.queries.setGradientJob(chunk, jobId);
      const data: ComputeQueryGradientsJob = { queryIds: chunk, factorSetId, spaceIds: spaces };
      await queue.sendMany(COMPUTE_QUERY_GRADIENTS, [{ key, data }]);
      jobIds.push(jobId);
    }
    const records = await this.queries.findManyByIds(created.map((c) => c.record.id));
    return { records: records.map((r, i) => r ?? created[i]!.record), jobIds };
  }

  /** {@link submit} for queries given as JSONL text ({@link parseQueriesJsonl}; errors name the line). */
  submitJsonl(queue: JobQueue, modelName: string, factorSetId: number, spaceIds: readonly number[], jsonl: string): Promise<{ records: QueryRecord[]; jobIds: string[] }> {
    return this.submit(queue, modelName, factorSetId, spaceIds, parseQueriesJsonl(jsonl, 'jsonl'));
  }

  /**
   * A query's computation state. With a queued job: PENDING while it is created, active or
   * waiting for a retry; FAILED (with its error) once failed or cancelled; READY once completed.
   * A job no longer kept by the queue, or none (computed in-process): READY when nats(q) is
   * stored, else PENDING (no job) or FAILED (job gone without a result).
   */
  async gradientState(query: QueryRecord, queue: JobStatusReader): Promise<QueryGradientState> {
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

  getMany(ids: readonly number[]): Promise<(QueryRecord | null)[]> {
    return this.queries.findManyByIds(ids);
  }

  page(filter: { modelId?: number; kind?: QueryKindName }, afterId: number, first: number): Promise<Page<QueryRecord>> {
    return this.queries.page(filter, afterId, first);
  }
}
