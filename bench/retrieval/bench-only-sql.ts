/**
 * SQL that only the retrieval benchmark runs (not product code: the platform's vector SQL lives
 * in src/repositories). Each statement is the repository's own statement with one thing changed
 * for the measurement, as stated on it.
 */
import type { SqlClient, TransactionalSqlClient } from '../../src/db/database.types';
import type { InnerProductHit } from '../../src/repositories/document-projections/document-projection-search.repository';
import { assertDims, toVectorLiteral } from '../../src/repositories/vector-sql';

/**
 * Exact top-k by ⟨sketch, q⟩ over a space's halfvec sketches: the statement of
 * `DocumentProjectionSearchRepository.searchInnerProduct` on the sketch column, run with index scans
 * switched off for its transaction, so Postgres scans every sketch instead of walking the HNSW
 * graph. What an exact search on the sketch costs, and which documents it would return.
 */
export async function bruteForceSketchSearch(sql: TransactionalSqlClient, spaceId: number, query: Float32Array, k: number): Promise<InnerProductHit[]> {
  const dims = assertDims(query.length, 'halfvec', 'sketch query dimension');
  return sql.transaction(async (tx) => {
    await tx.query(`SELECT set_config('enable_indexscan', 'off', true)`);
    const rows = await tx.query<{ document_id: number; score: number }>(
      `SELECT document_id, -((sketch::halfvec(${dims})) <#> $2::halfvec(${dims}))::float8 AS score
         FROM document_projections
        WHERE space_id = $1 AND sketch IS NOT NULL
        ORDER BY (sketch::halfvec(${dims})) <#> $2::halfvec(${dims})
        LIMIT $3`,
      [spaceId, toVectorLiteral(query, 'halfvec', 'sketch query'), k],
    );
    return rows.map((r) => ({ documentId: Number(r.document_id), score: Number(r.score) }));
  });
}

/** ‖x_d‖ of every document of a space (for the norm profile and norm dominance). */
export async function spaceGradientNorms(sql: SqlClient, spaceId: number): Promise<Map<number, number>> {
  const rows = await sql.query<{ document_id: number; gradient_norm: number }>(
    'SELECT document_id, gradient_norm FROM document_projections WHERE space_id = $1',
    [spaceId],
  );
  return new Map(rows.map((r) => [Number(r.document_id), Number(r.gradient_norm)]));
}

/** The plan Postgres picks for the exact full-vector scan (to state whether it ran in parallel). */
export async function explainFullScan(sql: SqlClient, spaceId: number, query: Float32Array, k: number): Promise<string> {
  const dims = assertDims(query.length, 'vector', 'full query dimension');
  const rows = await sql.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT document_id FROM document_projections
      WHERE space_id = $1 AND "full" IS NOT NULL
      ORDER BY ("full"::vector(${dims})) <#> $2::vector(${dims}) LIMIT $3`,
    [spaceId, toVectorLiteral(query, 'vector', 'full query'), k],
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
