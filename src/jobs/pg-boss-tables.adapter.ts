import type { Database } from '../db/database.types';
import type { NotificationHandler, Unlisten } from '../db/notification-channel';
import { PROJECT_DOCUMENTS, QUEUES } from '../domain/queue-name';

/** Schema pg-boss keeps its tables in. */
export const JOB_SCHEMA = 'tracebase_jobs';

/**
 * LISTEN/NOTIFY channel on which senders announce new jobs (payload: the queue's name), so that
 * idle workers in every process fetch them at once instead of at their next poll.
 */
export const JOB_WAKE_CHANNEL = 'tracebase_jobs';

/**
 * One job row as read from pg-boss's tables (live `job` or `archive`), with the batch its
 * payload names joined to Tracebase's catalogue (corpus, space and model names) and how many of
 * its documents are stored. Column names as the statement returns them.
 */
export interface PgBossJobRow {
  readonly id: string;
  readonly queue: string;
  /** pg-boss's job state (`created`, `retry`, `active`, `completed`, `cancelled`, `failed`). */
  readonly state: string;
  readonly retry_count: number;
  readonly retry_limit: number;
  readonly created_on: Date | string;
  readonly started_on: Date | string | null;
  readonly completed_on: Date | string | null;
  readonly output: unknown;
  readonly archived: boolean;
  /** `created_on` in whole microseconds since the epoch, as a decimal string. */
  readonly created_us: string;
  readonly corpus_id: number | null;
  readonly corpus_name: string | null;
  readonly space_id: number | null;
  readonly space_name: string | null;
  readonly model_name: string | null;
  readonly document_count: number | null;
  readonly projected: number | null;
}

/** Filter, keyset position and size of a page of job rows (newest first). */
export interface PgBossJobPage {
  /** Queue names to read (Tracebase's own, or one of them). */
  readonly queues: readonly string[];
  readonly state?: string;
  /** Only rows strictly after this position in (created_on, id) descending order. */
  readonly after?: { readonly createdMicros: string; readonly id: string };
  /** Most rows returned. */
  readonly limit: number;
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

/**
 * The one place that names pg-boss's schema outside the queue itself: read-only SQL on its
 * tables (`tracebase_jobs.job` and `.archive`) for Tracebase's reports and ingestion
 * bookkeeping, and the LISTEN/NOTIFY channel that announces new jobs. pg-boss installs its
 * tables on the queue's first start; every read returns nothing (zero counts, no rows, null)
 * before that.
 */
export class PgBossTables {
  constructor(private readonly database: Pick<Database, 'sql' | 'listen'>) {}

  /** Whether pg-boss has installed its tables (the queue starts on first use). */
  async installed(): Promise<boolean> {
    const [row] = await this.database.sql.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`${JOB_SCHEMA}.job`]);
    return Boolean(row?.t);
  }

  /** Live project-documents jobs of one corpus and space, counted by state (no rows when the queue is not installed). */
  async ingestionStateCounts(corpusId: number, spaceId: number): Promise<{ state: string; n: number }[]> {
    if (!(await this.installed())) return [];
    const rows = await this.database.sql.query<{ state: string; n: number }>(
      `SELECT state::text AS state, count(*)::int AS n FROM ${JOB_SCHEMA}.job
        WHERE name = $1 AND (data->>'corpusId')::int = $2 AND (data->>'spaceId')::int = $3
        GROUP BY state`,
      [PROJECT_DOCUMENTS, corpusId, spaceId],
    );
    return rows.map((r) => ({ state: r.state, n: Number(r.n) }));
  }

  /**
   * Spaces whose project-documents jobs (every corpus) are all finished: some are in the live
   * table and none is created, retried or running. Empty when the queue is not installed.
   */
  async spacesWithFinishedIngestion(): Promise<number[]> {
    if (!(await this.installed())) return [];
    const rows = await this.database.sql.query<{ space_id: number }>(
      `SELECT (data->>'spaceId')::int AS space_id FROM ${JOB_SCHEMA}.job
        WHERE name = $1 AND data->>'spaceId' ~ '^[0-9]{1,9}$'
        GROUP BY 1
       HAVING count(*) FILTER (WHERE state IN ('created', 'retry', 'active')) = 0
        ORDER BY 1`,
      [PROJECT_DOCUMENTS],
    );
    return rows.map((r) => Number(r.space_id));
  }

  /** Ids of the project-documents jobs of one corpus and space that have not finished. */
  async unfinishedIngestionJobIds(corpusId: number, spaceId: number): Promise<string[]> {
    const rows = await this.database.sql.query<{ id: string }>(
      `SELECT id::text AS id FROM ${JOB_SCHEMA}.job
        WHERE name = $1 AND (data->>'corpusId')::int = $2 AND (data->>'spaceId')::int = $3
          AND state IN ('created', 'retry', 'active')`,
      [PROJECT_DOCUMENTS, corpusId, spaceId],
    );
    return rows.map((r) => r.id);
  }

  /** The row of one job of Tracebase's queues by its pg-boss id (a UUID), the live one before an archived one; null when unknown. */
  async jobById(id: string): Promise<PgBossJobRow | null> {
    if (!(await this.installed())) return null;
    const rows = await this.database.sql.query<PgBossJobRow>(jobsSql('id = $2::uuid', 'ORDER BY j.archived LIMIT 1'), [[...QUEUES], id]);
    return rows[0] ?? null;
  }

  /** A page of job rows, newest first (by `created_on`, then id): at most `limit` rows. */
  async jobPage(page: PgBossJobPage): Promise<PgBossJobRow[]> {
    if (!(await this.installed())) return [];
    const params: unknown[] = [[...page.queues]];
    const where: string[] = ['true'];
    if (page.state) {
      params.push(page.state);
      where.push(`state::text = $${params.length}`);
    }
    if (page.after) {
      params.push(page.after.createdMicros, page.after.id);
      where.push(`((extract(epoch FROM created_on) * 1000000)::bigint, id) < ($${params.length - 1}::bigint, $${params.length}::uuid)`);
    }
    params.push(page.limit);
    return this.database.sql.query<PgBossJobRow>(jobsSql(where.join(' AND '), `ORDER BY j.created_us DESC, j.id DESC LIMIT $${params.length}`), params);
  }

  /** Announces new jobs of `queue` on {@link JOB_WAKE_CHANNEL} (best effort: a failure is ignored, workers also poll). */
  async announce(queue: string): Promise<void> {
    await this.database.sql.query('SELECT pg_notify($1, $2)', [JOB_WAKE_CHANNEL, queue]).catch(() => undefined);
  }

  /** Calls `handler` with the queue name of every announcement on {@link JOB_WAKE_CHANNEL}, from any process, until unlistened. */
  listenForAnnouncements(handler: NotificationHandler): Promise<Unlisten> {
    return this.database.listen(JOB_WAKE_CHANNEL, handler);
  }
}
