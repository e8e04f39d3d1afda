import type { TransactionalSqlClient } from '../db/database.types';
import { parseVector, toVectorLiteral } from './vector-sql';

/** nats(q) and M_ℓ(q) of one query under one factor set, as stored. */
export interface QueryGradientRow {
  readonly id: number;
  readonly queryId: number;
  readonly factorSetId: number;
  readonly nats: number;
  readonly tokenCount: number;
  /** The damping M_ℓ(q) was computed with (score-arguments key, e.g. `relative:0.1`). */
  readonly damping: string;
}

/** What a cached ranking depends on (see {@link QueryVectorRepository.rankingStamp}). */
export interface RankingStamp {
  readonly gradient: QueryGradientRow;
  /** When y_q was stored in the space, µs since the epoch as a decimal string; null: no vector there. */
  readonly projectedAt: string | null;
  /** The space's vectors_version as a decimal string. */
  readonly vectorsVersion: string;
  /** The factor set the gradient was taken under: its name and model (provenance checks). */
  readonly factorSet: { readonly name: string; readonly modelId: number };
}

/** y_q of a query gradient in one projection space. */
export interface QueryProjectionRow {
  readonly queryGradientId: number;
  readonly spaceId: number;
  readonly sketch: Float32Array;
  readonly full: Float32Array;
}

/** A `query_gradients` row as the driver returns it (numeric columns may come as strings). */
interface GradientColumns {
  id: number;
  query_id: number;
  factor_set_id: number;
  nats: number;
  token_count: number;
  damping: string;
}

function toGradientRow(row: GradientColumns): QueryGradientRow {
  return {
    id: Number(row.id),
    queryId: Number(row.query_id),
    factorSetId: Number(row.factor_set_id),
    nats: Number(row.nats),
    tokenCount: Number(row.token_count),
    damping: row.damping,
  };
}

/** SQL on `query_gradients` and `query_projections` (vector columns). */
export class QueryVectorRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

  /**
   * Stores a query's gradient summary and its projections in one transaction (replacing earlier
   * ones of the same query, factor set and space). `factors` holds M_ℓ as float32 bytes laid out
   * as `layout` says. They travel as base64 text that the server decodes: PGlite's own bytea
   * parameter encoder builds a hex string one byte at a time, ≈ 0.5 s per save for the 657 kB of
   * a rank-32 query of the reference model on the 2-vCPU machine, against ≈ 25 ms this way
   * (`npm run bench:queries`).
   *
   * `damping` (a score-arguments key) is what M was computed with; when it differs from the
   * stored gradient's, the query's cached influence scores under the factor set (computed with the
   * old damping) are deleted in the same transaction, so no ranking mixes two dampings.
   */
  async save(input: {
    queryId: number;
    factorSetId: number;
    damping: string;
    nats: number;
    tokenCount: number;
    rank: number | null;
    factors: Buffer;
    layout: unknown;
    projections: readonly { spaceId: number; sketch: Float32Array; full: Float32Array }[];
  }): Promise<number> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM influence_scores WHERE query_id = $1 AND factor_set_id = $2 AND damping <> $3`, [
        input.queryId,
        input.factorSetId,
        input.damping,
      ]);
      const [row] = await tx.query<{ id: number }>(
        `INSERT INTO query_gradients (query_id, factor_set_id, nats, token_count, rank, factors, layout, damping)
         VALUES ($1, $2, $3, $4, $5, decode($6::text, 'base64'), $7::jsonb, $8)
         ON CONFLICT (query_id, factor_set_id) DO UPDATE SET
           nats = EXCLUDED.nats, token_count = EXCLUDED.token_count, rank = EXCLUDED.rank,
           factors = EXCLUDED.factors, layout = EXCLUDED.layout, damping = EXCLUDED.damping, created_at = now()
         RETURNING id`,
        [
          input.queryId,
          input.factorSetId,
          input.nats,
          input.tokenCount,
          input.rank,
          input.factors.toString('base64'),
          JSON.stringify(input.layout),
          input.damping,
        ],
      );
      const id = Number(row!.id);
      for (const p of input.projections) {
        await tx.query(
          `INSERT INTO query_projections (query_gradient_id, space_id, sketch, "full")
           VALUES ($1, $2, $3::halfvec, $4::vector)
           ON CONFLICT (query_gradient_id, space_id) DO UPDATE SET sketch = EXCLUDED.sketch, "full" = EXCLUDED."full", created_at = now()`,
          [
            id,
            p.spaceId,
            toVectorLiteral(p.sketch, 'halfvec', `query ${input.queryId} sketch`),
            toVectorLiteral(p.full, 'vector', `query ${input.queryId} full vector`),
          ],
        );
      }
      return id;
    });
  }

  /**
   * What a ranking of a query over a space depends on, read in one statement: the query's
   * gradient under the factor set, when its vector in the space was stored (µs since the epoch,
   * null when it has none) and the space's `vectors_version` (bumped by a trigger whenever the
   * space's document projections change), with the factor set's name and model. Null when the
   * query has no gradient under the set.
   */
  async rankingStamp(queryId: number, factorSetId: number, spaceId: number): Promise<RankingStamp | null> {
    const [row] = await this.sql.query<{
      id: number;
      query_id: number;
      factor_set_id: number;
      nats: number;
      token_count: number;
      damping: string;
      projected_us: string | null;
      vectors_version: string | null;
      factor_set_name: string;
      factor_set_model_id: number;
    }>(
      `SELECT g.id, g.query_id, g.factor_set_id, g.nats, g.token_count, g.damping,
              (extract(epoch FROM qp.created_at) * 1000000)::bigint::text AS projected_us,
              (SELECT s.vectors_version::text FROM projection_spaces s WHERE s.id = $3) AS vectors_version,
              f.name AS factor_set_name, f.model_id AS factor_set_model_id
         FROM query_gradients g
         JOIN factor_sets f ON f.id = g.factor_set_id
         LEFT JOIN query_projections qp ON qp.query_gradient_id = g.id AND qp.space_id = $3
        WHERE g.query_id = $1 AND g.factor_set_id = $2`,
      [queryId, factorSetId, spaceId],
    );
    if (!row) return null;
    return {
      gradient: toGradientRow(row),
      projectedAt: row.projected_us === null ? null : String(row.projected_us),
      vectorsVersion: String(row.vectors_version ?? ''),
      factorSet: { name: row.factor_set_name, modelId: Number(row.factor_set_model_id) },
    };
  }

  async findGradient(queryId: number, factorSetId: number): Promise<QueryGradientRow | null> {
    const [row] = await this.sql.query<GradientColumns>(
      'SELECT id, query_id, factor_set_id, nats, token_count, damping FROM query_gradients WHERE query_id = $1 AND factor_set_id = $2',
      [queryId, factorSetId],
    );
    return row ? toGradientRow(row) : null;
  }

  async findProjection(queryGradientId: number, spaceId: number): Promise<QueryProjectionRow | null> {
    const [row] = await this.sql.query<{ sketch: string; full: string }>(
      'SELECT sketch::text AS sketch, "full"::text AS "full" FROM query_projections WHERE query_gradient_id = $1 AND space_id = $2',
      [queryGradientId, spaceId],
    );
    return row ? { queryGradientId, spaceId, sketch: parseVector(row.sketch)!, full: parseVector(row.full)! } : null;
  }
}
