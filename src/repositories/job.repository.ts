import type { SqlClient } from '../db/database.types';
import { PROJECT_DOCUMENTS, QUEUES } from '../domain/queue-name';
import { JOB_SCHEMA } from '../jobs/job-queue';
import type { JobState } from '../domain/job-state';

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

type JobRow = {
  id: string;
  queue: string;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  created_on: Date | string;
  started_on: Date | string | null;
  completed_on: Date | string | null;
  output: unknown;
  archived: boolean;
  created_us: string;
  corpus_id: number | null;
  corpus_name: string | null;
  space_id: number | null;
  space_name: string | null;
  model_name: string | null;
  document_count: number | null;
  projected: number | null;
};

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    queue: r.queue,
    state: r.state,
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

/** Columns of both pg-boss tables (`job` and its `archive`), with the archive flag. */
const TABLE_COLUMNS = 'id, name, state, retry_count, retry_limit, created_on, started_on, completed_on, output, data';

/**
 * The job rows of Tracebase's queues (live, and archived ones not live again under the same
 * deterministic id) matching `where` (applied in both tables; `$1` is the queue names), with
 * each batch's corpus, space and model names and how many of its documents are stored.
 */
function jobsSql(where: string, tail: string): string {
  const created = '(extract(epoch FROM created_on) * 1000000)::bigint';
  return `
    WITH j AS (
      SELECT ${TABLE_COLUMNS}, false AS archived, ${created} AS created_us FROM ${JOB_SCHEMA}.job
       WHERE name = ANY($1::text[]) AND ${where}
      UNION ALL
      SELECT ${TABLE_COLUMNS}, true AS archived, ${created} AS created_us FROM ${JOB_SCHEMA}.archive a
       WHERE name = ANY($1::text[]) AND ${where}
         AND NOT EXISTS (SELECT 1 FROM ${JOB_SCHEMA}.job l WHERE l.name = a.name AND l.id = a.id)
    )
    SELECT j.id::text AS id, j.name AS queue, j.state::text AS state, j.retry_count, j.retry_limit,
           j.created_on, j.started_on, j.completed_on, j.output, j.archived, j.created_us::text AS created_us,
           b.corpus_id, c.name AS corpus_name, b.space_id, s.name AS space_name, m.name AS model_name, b.document_count,
           CASE WHEN j.name = '${PROJECT_DOCUMENTS}' AND b.document_ids IS NOT NULL THEN
             (SELECT count(*)::int FROM document_projections p WHERE p.space_id = b.space_id AND p.document_id = ANY(b.document_ids))
           END AS projected
      FROM j
      LEFT JOIN LATERAL (
        SELECT CASE WHEN j.data->>'corpusId' ~ '^[0-9]{1,9}$' THEN (j.data->>'corpusId')::int END AS corpus_id,
               CASE WHEN j.data->>'spaceId' ~ '^[0-9]{1,9}$' THEN (j.data->>'spaceId')::int END AS space_id,
               CASE WHEN jsonb_typeof(j.data->'documentIds') = 'array' THEN jsonb_array_length(j.data->'documentIds') END AS document_count,
               CASE WHEN jsonb_typeof(j.data->'documentIds') = 'array' THEN
                 ARRAY(SELECT e::int FROM jsonb_array_elements_text(j.data->'documentIds') e WHERE e ~ '^[0-9]{1,9}$')
               END AS document_ids
      ) b ON true
      LEFT JOIN corpora c ON c.id = b.corpus_id
      LEFT JOIN projection_spaces s ON s.id = b.space_id
      LEFT JOIN models m ON m.id = s.model_id
    ${tail}`;
}

/** Reads the queue library's job tables for Tracebase's own reports (read-only SQL). */
export class JobRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Whether pg-boss has installed its tables (the queue starts on first use). */
  private async installed(): Promise<boolean> {
    const [row] = await this.sql.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`${JOB_SCHEMA}.job`]);
    return Boolean(row?.t);
  }

  /** Project-documents jobs of one corpus and space, counted by state (zero when the queue is not installed). */
  async ingestionStates(corpusId: number, spaceId: number): Promise<JobStateCounts> {
    const counts: JobStateCounts = { created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 };
    if (!(await this.installed())) return counts;
    const rows = await this.sql.query<{ state: keyof JobStateCounts; n: number }>(
      `SELECT state::text AS state, count(*)::int AS n FROM ${JOB_SCHEMA}.job
        WHERE name = $1 AND (data->>'corpusId')::int = $2 AND (data->>'spaceId')::int = $3
        GROUP BY state`,
      [PROJECT_DOCUMENTS, corpusId, spaceId],
    );
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  }

  /**
   * Spaces whose ingestion jobs (every corpus) are all finished: some project-documents jobs of
   * the space are in the queue's live table and none is created, retried or running. Empty when
   * the queue is not installed.
   */
  async spacesWithFinishedIngestion(): Promise<number[]> {
    if (!(await this.installed())) return [];
    const rows = await this.sql.query<{ space_id: number }>(
      `SELECT (data->>'spaceId')::int AS space_id FROM ${JOB_SCHEMA}.job
        WHERE name = $1 AND data->>'spaceId' ~ '^[0-9]{1,9}$'
        GROUP BY 1
       HAVING count(*) FILTER (WHERE state IN ('created', 'retry', 'active')) = 0
        ORDER BY 1`,
      [PROJECT_DOCUMENTS],
    );
    return rows.map((r) => Number(r.space_id));
  }

  /** Ids of the ingestion's jobs that have not finished (to cancel them). */
  async unfinishedIngestionJobs(corpusId: number, spaceId: number): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      `SELECT id::text AS id FROM ${JOB_SCHEMA}.job
        WHERE name = $1 AND (data->>'corpusId')::int = $2 AND (data->>'spaceId')::int = $3
          AND state IN ('created', 'retry', 'active')`,
      [PROJECT_DOCUMENTS, corpusId, spaceId],
    );
    return rows.map((r) => r.id);
  }

  /** One job of Tracebase's queues by its pg-boss id (a UUID), live or archived; null when unknown. */
  async findById(id: string): Promise<JobRecord | null> {
    if (!(await this.installed())) return null;
    const rows = await this.sql.query<JobRow>(jobsSql('id = $2::uuid', 'ORDER BY j.archived LIMIT 1'), [[...QUEUES], id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * A page of jobs, newest first (by `created_on`, then id), optionally of one state and queue;
   * `first + 1` rows are read so the caller knows whether more follow.
   */
  async page(query: JobPageQuery): Promise<JobRecord[]> {
    if (!(await this.installed())) return [];
    const params: unknown[] = [query.queue ? [query.queue] : [...QUEUES]];
    const where: string[] = ['true'];
    if (query.state) {
      params.push(query.state);
      where.push(`state::text = $${params.length}`);
    }
    if (query.after) {
      params.push(query.after.createdMicros, query.after.id);
      where.push(`((extract(epoch FROM created_on) * 1000000)::bigint, id) < ($${params.length - 1}::bigint, $${params.length}::uuid)`);
    }
    params.push(query.first + 1);
    const rows = await this.sql.query<JobRow>(jobsSql(where.join(' AND '), `ORDER BY j.created_us DESC, j.id DESC LIMIT $${params.length}`), params);
    return rows.map(toRecord);
  }
}
