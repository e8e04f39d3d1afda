import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { DEAD_LETTER, PROJECT_DOCUMENTS, type QueueName, QUEUES } from '../domain/queue-name';
import type { JobBatchRecord, JobPageQuery, JobRecord, JobRepository } from '../repositories/job.repository';
import type { JobState } from '../domain/job-state';
import type { Page } from './page';

/** What a finished project-documents batch did (the handler's result, as stored by the queue). */
export interface ProjectDocumentsOutcome {
  readonly projected: number;
  readonly skipped: number;
  readonly missing: number;
  readonly tokens: number;
}

/** A job as reported to users. */
export interface JobView {
  /** pg-boss job id (UUID). */
  readonly id: string;
  readonly queue: QueueName;
  readonly state: JobState;
  readonly retryCount: number;
  readonly retryLimit: number;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly archived: boolean;
  /** Message of the last failed try (failed or retried jobs, dead letters); null otherwise. */
  readonly error: string | null;
  /** The batch a project-documents job (or its dead letter) works on. */
  readonly batch: JobBatchRecord | null;
  /** What a completed project-documents job did. */
  readonly outcome: ProjectDocumentsOutcome | null;
  /** Keyset position in the newest-first order of {@link JobService.page}. */
  readonly position: JobPosition;
}

/** Where a job stands in the newest-first order of jobs. */
export interface JobPosition {
  /** `created_on` in whole microseconds since the epoch, as a decimal string. */
  readonly createdMicros: string;
  readonly id: string;
}

/** Longest error message reported. */
const MAX_ERROR_CHARS = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The message of a serialised error as pg-boss stores it in `output`: `{ message, stack, name }`
 * for a handler's error, `{ value: { message } }` for a timeout, `{ value: "…" }` for a string.
 */
function errorMessage(output: unknown): string | null {
  if (output === null || typeof output !== 'object') return null;
  const o = output as { message?: unknown; value?: unknown };
  const value = o.value as { message?: unknown } | string | undefined;
  const message = typeof o.message === 'string' ? o.message : typeof value === 'string' ? value : typeof value?.message === 'string' ? value.message : null;
  return message === null ? null : message.slice(0, MAX_ERROR_CHARS);
}

function outcomeOf(output: unknown): ProjectDocumentsOutcome | null {
  if (output === null || typeof output !== 'object') return null;
  const o = output as Record<string, unknown>;
  const keys = ['projected', 'skipped', 'missing', 'tokens'] as const;
  if (!keys.every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]))) return null;
  return { projected: o.projected as number, skipped: o.skipped as number, missing: o.missing as number, tokens: o.tokens as number };
}

function toView(r: JobRecord): JobView {
  const finishedWell = r.state === 'completed';
  return {
    id: r.id,
    queue: r.queue as QueueName,
    state: r.state,
    retryCount: r.retryCount,
    retryLimit: r.retryLimit,
    createdAt: r.createdOn,
    startedAt: r.startedOn,
    completedAt: r.completedOn,
    archived: r.archived,
    error: finishedWell && r.queue !== DEAD_LETTER ? null : errorMessage(r.output),
    batch: r.batch,
    outcome: finishedWell && r.queue === PROJECT_DOCUMENTS ? outcomeOf(r.output) : null,
    position: { createdMicros: r.createdMicros, id: r.id },
  };
}

/** Jobs of Tracebase's queues (pg-boss): one by id, pages newest first. */
export class JobService {
  constructor(private readonly jobs: JobRepository) {}

  /** One job by its pg-boss id; NOT_FOUND when no queue of Tracebase's has it. */
  async get(id: string): Promise<JobView> {
    if (!UUID.test(id)) throw new InvalidInputError(`job id "${id.slice(0, 80)}" is not a UUID`);
    const found = await this.jobs.findById(id.toLowerCase());
    if (!found) throw new NotFoundError(`no job with id ${id}`);
    return toView(found);
  }

  /** Jobs newest first, optionally of one state and queue, after a position. */
  async page(filter: { state?: JobState; queue?: QueueName }, after: JobPosition | null, first: number): Promise<Page<JobView>> {
    if (!Number.isInteger(first) || first < 1 || first > 1000) throw new InvalidInputError(`page size must be 1..1000, got ${first}`);
    if (filter.queue && !(QUEUES as readonly string[]).includes(filter.queue)) throw new InvalidInputError(`unknown queue "${filter.queue}"`);
    if (after && (!/^-?\d{1,19}$/.test(after.createdMicros) || !UUID.test(after.id))) throw new InvalidInputError('the page position is malformed');
    const query: JobPageQuery = {
      first,
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.queue ? { queue: filter.queue } : {}),
      ...(after ? { after } : {}),
    };
    const rows = await this.jobs.page(query);
    return { items: rows.slice(0, first).map(toView), hasNextPage: rows.length > first };
  }
}
