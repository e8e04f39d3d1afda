import type { SqlClient } from '../db/database.types';
import { PROJECT_DOCUMENTS } from '../jobs/job-names';
import { JOB_SCHEMA } from '../jobs/job-queue';

/** Jobs of one ingestion by state (pg-boss states). */
export type JobStateCounts = Record<'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed', number>;

/** Reads the queue library's job table for Tracebase's own reports (read-only SQL). */
export class JobRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Project-documents jobs of one corpus and space, counted by state (zero when the queue is not installed). */
  async ingestionStates(corpusId: number, spaceId: number): Promise<JobStateCounts> {
    const counts: JobStateCounts = { created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 };
    const [installed] = await this.sql.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`${JOB_SCHEMA}.job`]);
    if (!installed?.t) return counts;
    const rows = await this.sql.query<{ state: keyof JobStateCounts; n: number }>(
      `SELECT state::text AS state, count(*)::int AS n FROM ${JOB_SCHEMA}.job
        WHERE name = $1 AND (data->>'corpusId')::int = $2 AND (data->>'spaceId')::int = $3
        GROUP BY state`,
      [PROJECT_DOCUMENTS, corpusId, spaceId],
    );
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
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
}
