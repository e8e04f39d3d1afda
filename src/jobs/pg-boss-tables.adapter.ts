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

/**
 * First key of the session-level advisory locks by which worker processes show they are alive
 * (the second key is each process's lease key): docs/operations.md "Liveness of jobs".
 */
export const LEASE_LOCK_NAMESPACE = 72_707_366;

/** An active job returned to the queue because its holder is gone. */
export interface ReclaimedJob {
  readonly id: string;
  readonly queue: string;
  /** Its retries are used up: the caller fails it (to the dead-letter queue) instead. */
  readonly exhausted: boolean;
  /** Why it was reclaimed, for people (also stored in the job's output and its lease). */
  readonly reason: string;
}

/** What makes an active job an orphan, for {@link PgBossTables.reclaimOrphans}. */
export interface OrphanRule {
  /** Queues to sweep. */
  readonly queues: readonly string[];
  /**
   * An active job with no lease (taken by a process that died before recording it, or by an
   * older Tracebase) is an orphan when it started more than this many seconds ago (database clock),
   * or, for `'before-database-start'`, when it started before the database server did (an
   * embedded database reopened: no process of its previous life can hold anything).
   */
  readonly unleasedGraceSeconds: number | 'before-database-start';
  /** Reason recorded for jobs whose holder's lock is gone (prefixed by the holder's name). */
  readonly reason: string;
}

/**
 * Active jobs of $1 (queues) that nobody holds: their lease's advisory lock (namespace $3,
 * objsubid 2: the two-key form) is not held by any session of this database, or they have no
 * lease and started more than $2 seconds ago (before the server started when $2 is null).
 */
const ORPHANS_SQL = `
  SELECT j.id, j.name, j.retry_count >= j.retry_limit AS exhausted,
         CASE WHEN l.job_id IS NULL THEN 'reclaimed: the job was taken by a process that recorded no lease and is gone'
              ELSE 'reclaimed: worker ' || coalesce(l.worker, '?') || ' ' || $4::text END AS why
    FROM ${JOB_SCHEMA}.job j
    LEFT JOIN job_leases l ON l.job_id = j.id AND l.lock_key IS NOT NULL
   WHERE j.name = ANY($1::text[]) AND j.state = 'active'
     AND CASE WHEN l.job_id IS NULL THEN j.started_on < coalesce(now() - $2::float8 * interval '1 second', pg_postmaster_start_time())
         ELSE NOT EXISTS (
           SELECT 1 FROM pg_locks k
            WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 2
              AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND k.classid = $3::int::oid AND k.objid = l.lock_key::oid)
         END`;

function graceParam(grace: OrphanRule['unleasedGraceSeconds']): number | null {
  return grace === 'before-database-start' ? null : grace;
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

  /**
   * Records that the worker holding advisory lock (LEASE_LOCK_NAMESPACE, `lockKey`) took job
   * `jobId` (in table job_leases, Tracebase's own; a reclaim history stays).
   */
  async takeLease(jobId: string, queue: string, worker: string, lockKey: number): Promise<void> {
    await this.database.sql.query(
      `INSERT INTO job_leases (job_id, queue, worker, lock_key, taken_at) VALUES ($1::uuid, $2, $3, $4, now())
       ON CONFLICT (job_id) DO UPDATE SET worker = EXCLUDED.worker, lock_key = EXCLUDED.lock_key, taken_at = now()`,
      [jobId, queue, worker, lockKey],
    );
  }

  /**
   * Ends the lease of `jobId` held under `lockKey` (no-op when the job was reclaimed and taken
   * by another worker meanwhile): forgotten when it was never reclaimed, kept for its history
   * otherwise.
   */
  async releaseLease(jobId: string, lockKey: number): Promise<void> {
    await this.database.sql.query(`DELETE FROM job_leases WHERE job_id = $1::uuid AND lock_key = $2 AND reclaim_count = 0`, [jobId, lockKey]);
    await this.database.sql.query(`UPDATE job_leases SET worker = NULL, lock_key = NULL WHERE job_id = $1::uuid AND lock_key = $2`, [jobId, lockKey]);
  }

  /**
   * Returns to the queue (state `retry`, startable at once; the next fetch counts a retry) every
   * active job of `rule.queues` whose holder is gone, recording the reason in the job's output
   * (`{ value: { message }, reclaimed }`, which the job API shows as its error) and in its lease
   * (reclaim_count, reclaimed_at, reclaim_reason). Jobs whose retries are used up are only
   * reported, `exhausted`, for the queue to fail. Skips rows locked by a concurrent sweep.
   */
  async reclaimOrphans(rule: OrphanRule): Promise<ReclaimedJob[]> {
    if (!(await this.installed())) return [];
    const rows = await this.database.sql.query<{ id: string; name: string; exhausted: boolean; why: string }>(
      `WITH orphan AS (${ORPHANS_SQL} FOR UPDATE OF j SKIP LOCKED),
       retried AS (
         UPDATE ${JOB_SCHEMA}.job j
            SET state = 'retry', start_after = now(),
                output = jsonb_build_object('value', jsonb_build_object('message', o.why), 'reclaimed', true)
           FROM orphan o
          WHERE j.name = o.name AND j.id = o.id AND NOT o.exhausted AND j.state = 'active'
          RETURNING j.id
       ),
       leases AS (
         INSERT INTO job_leases (job_id, queue, reclaim_count, reclaimed_at, reclaim_reason)
         SELECT id, name, 1, now(), why FROM orphan
         ON CONFLICT (job_id) DO UPDATE SET worker = NULL, lock_key = NULL, reclaim_count = job_leases.reclaim_count + 1,
                                            reclaimed_at = now(), reclaim_reason = EXCLUDED.reclaim_reason
         RETURNING job_id
       )
       SELECT o.id::text AS id, o.name, o.exhausted, o.why
         FROM orphan o`,
      [[...rule.queues], graceParam(rule.unleasedGraceSeconds), LEASE_LOCK_NAMESPACE, rule.reason],
    );
    return rows.map((r) => ({ id: r.id, queue: r.name, exhausted: r.exhausted, reason: r.why }));
  }

  /** How many active jobs of `queues` nobody holds (what a sweep would reclaim now), without changing anything. */
  async orphanCount(rule: Pick<OrphanRule, 'queues' | 'unleasedGraceSeconds'>): Promise<number> {
    if (!(await this.installed())) return 0;
    const [row] = await this.database.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${ORPHANS_SQL}) o`, [
      [...rule.queues],
      graceParam(rule.unleasedGraceSeconds),
      LEASE_LOCK_NAMESPACE,
      '',
    ]);
    return Number(row?.n ?? 0);
  }

  /** The lease record of a job: who holds it, and the last reclaim; null when none. */
  async leaseOf(jobId: string): Promise<{ worker: string | null; lockKey: number | null; reclaimCount: number; reclaimReason: string | null } | null> {
    const rows = await this.database.sql.query<{ worker: string | null; lock_key: number | null; reclaim_count: number; reclaim_reason: string | null }>(
      `SELECT worker, lock_key, reclaim_count, reclaim_reason FROM job_leases WHERE job_id = $1::uuid`,
      [jobId],
    );
    const r = rows[0];
    return r ? { worker: r.worker, lockKey: r.lock_key, reclaimCount: Number(r.reclaim_count), reclaimReason: r.reclaim_reason } : null;
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
