import { QUEUES } from '../domain/queue-name';
import type { JobState } from '../domain/job-state';
import type { PgBossJobRow, PgBossTables } from '../jobs/pg-boss-tables.adapter';

/** Jobs of one ingestion by state (pg-boss states). */
export type JobStateCounts = Record<JobState, number>;

/** What a project-documents job (or its dead-letter copy) works on, from its payload. */
export interface JobBatchRecord {
  readonly corpusId: number | null;
  /** Null when the corpus no longer exists. */
  readonly corpusName: string | null;
  readonly spaceId: number | null;
  /** Null when the space no longer exists. */
  readonly spaceName: string | null;
  readonly modelName: string | null;
  /** Documents in the batch. */
  readonly documentCount: number;
  /** Documents of the batch with a stored vector in the space (project-documents jobs only). */
  readonly projected: number | null;
}

/** One job of Tracebase's queues as pg-boss stores it (live table or archive). */
export interface JobRecord {
  /** pg-boss job id (UUID). */
  readonly id: string;
  readonly queue: string;
  readonly state: JobState;
  readonly retryCount: number;
  readonly retryLimit: number;
  readonly createdOn: Date;
  readonly startedOn: Date | null;
  readonly completedOn: Date | null;
  /** The handler's result (completed) or the serialised error (failed, retried, dead-lettered). */
  readonly output: unknown;
  /** Whether pg-boss moved it to its archive (finished jobs, after its retention). */
  readonly archived: boolean;
  /** `created_on` in whole microseconds since the epoch (exact): the keyset position with `id`. */
  readonly createdMicros: string;
  /** Null for payloads that are not a batch of documents. */
  readonly batch: JobBatchRecord | null;
}

/** Filter and keyset position of a page of jobs (newest first). */
export interface JobPageQuery {
  readonly state?: JobState;
  readonly queue?: string;
  /** Only jobs strictly after this position in (created_on, id) descending order. */
  readonly after?: { readonly createdMicros: string; readonly id: string };
  readonly first: number;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

function toRecord(r: PgBossJobRow): JobRecord {
  return {
    id: r.id,
    queue: r.queue,
    // pg-boss writes only these states
    state: r.state as JobState,
    retryCount: Number(r.retry_count),
    retryLimit: Number(r.retry_limit),
    createdOn: new Date(r.created_on),
    startedOn: date(r.started_on),
    completedOn: date(r.completed_on),
    output: typeof r.output === 'string' ? safeJson(r.output) : r.output,
    archived: Boolean(r.archived),
    createdMicros: String(r.created_us),
    batch:
      r.document_count === null
        ? null
        : {
            corpusId: r.corpus_id === null ? null : Number(r.corpus_id),
            corpusName: r.corpus_name,
            spaceId: r.space_id === null ? null : Number(r.space_id),
            spaceName: r.space_name,
            modelName: r.model_name,
            documentCount: Number(r.document_count),
            projected: r.projected === null ? null : Number(r.projected),
          },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Jobs of Tracebase's queues for its reports and ingestion bookkeeping, read through the queue's
 * tables adapter ({@link PgBossTables}: the only code that names pg-boss's schema).
 */
export class JobRepository {
  constructor(private readonly tables: PgBossTables) {}

  /** Project-documents jobs of one corpus and space, counted by state (zero when the queue is not installed). */
  async ingestionStates(corpusId: number, spaceId: number): Promise<JobStateCounts> {
    const counts: JobStateCounts = { created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 };
    for (const r of await this.tables.ingestionStateCounts(corpusId, spaceId)) counts[r.state as JobState] = r.n;
    return counts;
  }

  /**
   * Spaces whose ingestion jobs (every corpus) are all finished: some project-documents jobs of
   * the space are in the queue's live table and none is created, retried or running. Empty when
   * the queue is not installed.
   */
  spacesWithFinishedIngestion(): Promise<number[]> {
    return this.tables.spacesWithFinishedIngestion();
  }

  /** Ids of the ingestion's jobs that have not finished (to cancel them). */
  unfinishedIngestionJobs(corpusId: number, spaceId: number): Promise<string[]> {
    return this.tables.unfinishedIngestionJobIds(corpusId, spaceId);
  }

  /** One job of Tracebase's queues by its pg-boss id (a UUID), live or archived; null when unknown. */
  async findById(id: string): Promise<JobRecord | null> {
    const row = await this.tables.jobById(id);
    return row ? toRecord(row) : null;
  }

  /**
   * A page of jobs, newest first (by `created_on`, then id), optionally of one state and queue;
   * `first + 1` rows are read so the caller knows whether more follow.
   */
  async page(query: JobPageQuery): Promise<JobRecord[]> {
    const rows = await this.tables.jobPage({
      queues: query.queue ? [query.queue] : [...QUEUES],
      ...(query.state ? { state: query.state } : {}),
      ...(query.after ? { after: query.after } : {}),
      limit: query.first + 1,
    });
    return rows.map(toRecord);
  }
}
