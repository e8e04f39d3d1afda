import type { SqlClient } from '../db/database.types';
import type { ProgressInstant } from '../math/progress-rate';
import { assertSafeId } from './vector-sql';

/** Recent commit instants of an ingestion, read with the database's clock. */
export interface RecentProjectionInstants {
  /** The database's `now()`, ms since the epoch (rows' `created_at` are on this clock). */
  readonly asOf: number;
  /** Documents and tokens stored per distinct `created_at`, most recent first. */
  readonly instants: ProgressInstant[];
}

/**
 * Reads when an ingestion's vectors were stored, for its rate and ETA. A batch is stored in one
 * transaction, so its rows share one `created_at` (the transaction's `now()`): each distinct
 * `created_at` is one commit instant.
 */
export class IngestionRateRepository {
  constructor(private readonly sql: SqlClient) {}

  /**
   * The most recent `limit` commit instants of corpus `corpusId`'s projections into space
   * `spaceId` within the last `windowSeconds` (by the database's clock), with that clock.
   */
  async recentInstants(corpusId: number, spaceId: number, windowSeconds: number, limit: number): Promise<RecentProjectionInstants> {
    assertSafeId(corpusId, 'corpus id');
    assertSafeId(spaceId, 'projection space id');
    const rows = await this.sql.query<{ as_of: number; at: number | null; documents: number | null; tokens: number | null }>(
      `WITH recent AS (
         SELECT p.created_at, count(*)::int AS documents, sum(p.token_count)::float8 AS tokens
           FROM document_projections p JOIN documents d ON d.id = p.document_id
          WHERE p.space_id = $1 AND d.corpus_id = $2 AND p.created_at > now() - make_interval(secs => $3::float8)
          GROUP BY p.created_at
          ORDER BY p.created_at DESC
          LIMIT $4)
       SELECT (extract(epoch FROM c.now) * 1000)::float8 AS as_of,
              (extract(epoch FROM r.created_at) * 1000)::float8 AS at, r.documents, r.tokens
         FROM (SELECT now() AS now) c LEFT JOIN recent r ON true
        ORDER BY r.created_at DESC`,
      [spaceId, corpusId, windowSeconds, limit],
    );
    return {
      asOf: Number(rows[0]?.as_of ?? Date.now()),
      instants: rows.filter((r) => r.at !== null).map((r) => ({ at: Number(r.at), items: Number(r.documents), tokens: Number(r.tokens ?? 0) })),
    };
  }
}
