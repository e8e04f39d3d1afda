import type { TransactionalSqlClient } from '../db/database.types';
import { parseVector, toVectorLiteral } from './vector-sql';

/** nats(q) and M_ℓ(q) of one query under one factor set, as stored. */
export interface QueryGradientRow {
  readonly id: number;
  readonly queryId: number;
  readonly factorSetId: number;
  readonly nats: number;
  readonly tokenCount: number;
}

/** y_q of a query gradient in one projection space. */
export interface QueryProjectionRow {
  readonly queryGradientId: number;
  readonly spaceId: number;
  readonly sketch: Float32Array;
  readonly full: Float32Array;
}

/** SQL on `query_gradients` and `query_projections` (vector columns). */
export class QueryVectorRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

  /**
   * Stores a query's gradient summary and its projections in one transaction (replacing earlier
   * ones of the same query, factor set and space). `factors` holds M_ℓ as float32 bytes laid out
   * as `layout` says.
   */
  async save(input: {
    queryId: number;
    factorSetId: number;
    nats: number;
    tokenCount: number;
    rank: number | null;
    factors: Buffer;
    layout: unknown;
    projections: readonly { spaceId: number; sketch: Float32Array; full: Float32Array }[];
  }): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const [row] = await tx.query<{ id: number }>(
        `INSERT INTO query_gradients (query_id, factor_set_id, nats, token_count, rank, factors, layout)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
         ON CONFLICT (query_id, factor_set_id) DO UPDATE SET
           nats = EXCLUDED.nats, token_count = EXCLUDED.token_count, rank = EXCLUDED.rank,
           factors = EXCLUDED.factors, layout = EXCLUDED.layout, created_at = now()
         RETURNING id`,
        [input.queryId, input.factorSetId, input.nats, input.tokenCount, input.rank, input.factors, JSON.stringify(input.layout)],
      );
      const id = Number(row!.id);
      for (const p of input.projections) {
        await tx.query(
          `INSERT INTO query_projections (query_gradient_id, space_id, sketch, "full")
           VALUES ($1, $2, $3::halfvec, $4::vector)
           ON CONFLICT (query_gradient_id, space_id) DO UPDATE SET sketch = EXCLUDED.sketch, "full" = EXCLUDED."full", created_at = now()`,
          [id, p.spaceId, toVectorLiteral(p.sketch, 'halfvec', `query ${input.queryId} sketch`), toVectorLiteral(p.full, 'vector', `query ${input.queryId} full vector`)],
        );
      }
      return id;
    });
  }

  async findGradient(queryId: number, factorSetId: number): Promise<QueryGradientRow | null> {
    const [row] = await this.sql.query<{ id: number; query_id: number; factor_set_id: number; nats: number; token_count: number }>(
      'SELECT id, query_id, factor_set_id, nats, token_count FROM query_gradients WHERE query_id = $1 AND factor_set_id = $2',
      [queryId, factorSetId],
    );
    return row
      ? { id: Number(row.id), queryId: Number(row.query_id), factorSetId: Number(row.factor_set_id), nats: Number(row.nats), tokenCount: Number(row.token_count) }
      : null;
  }

  async findProjection(queryGradientId: number, spaceId: number): Promise<QueryProjectionRow | null> {
    const [row] = await this.sql.query<{ sketch: string; full: string }>(
      'SELECT sketch::text AS sketch, "full"::text AS "full" FROM query_projections WHERE query_gradient_id = $1 AND space_id = $2',
      [queryGradientId, spaceId],
    );
    return row ? { queryGradientId, spaceId, sketch: parseVector(row.sketch)!, full: parseVector(row.full)! } : null;
  }
}
