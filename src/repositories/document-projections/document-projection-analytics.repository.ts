import { InvalidInputError } from '../../errors/tracebase.error';
import type { TransactionalSqlClient } from '../../db/database.types';
import { assertDims, assertSafeId, toVectorLiteral } from '../vector-sql';

/** One layer block of the full vector with the query's slice of it, for per-layer sums. */
export interface LayerSlice {
  /** 0-based first index of the block in the full vector. */
  readonly offset: number;
  /** y_ℓ: the query's block (its length is the block's). */
  readonly query: Float32Array;
}

/** Per-layer sums of s_ℓ(d) = ⟨y_ℓ, x_{d,ℓ}⟩ over the documents of a space. */
export interface LayerScoreSums {
  readonly documents: number;
  /** Σ_d max(s_ℓ(d), 0), one entry per slice. */
  readonly positive: Float64Array;
  /** Σ_d min(s_ℓ(d), 0), one entry per slice. */
  readonly negative: Float64Array;
}

/**
 * Whole-space analytics of `document_projections`: statements that scan every document of a
 * space (⟨y, x_d⟩ of each, per-layer sums), each bounded by a statement timeout in its own
 * transaction.
 */
export class DocumentProjectionAnalyticsRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

  /**
   * ⟨y, x_d⟩ with the full vector of every document of a space (one scan), with each
   * document's source: what the whole-corpus analyses (correlations, distributions,
   * over-representation) work on. Ordered by document id.
   */
  async scoreAll(
    spaceId: number,
    query: Float32Array,
    timeoutMs = 120_000,
  ): Promise<{ documentIds: Int32Array; scores: Float64Array; sources: string[]; norms: Float64Array }> {
    const dims = assertDims(query.length, 'vector', 'full query dimension');
    const rows = await this.sql.transaction(async (tx) => {
      // an analysis scans the whole space: bound it so that one request cannot hold the database
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.max(1, Math.round(timeoutMs)))]);
      return tx.query<{ document_id: number; score: number; source: string; gradient_norm: number }>(
        `SELECT p.document_id, -(p."full"::vector(${dims}) <#> $2::vector(${dims}))::float8 AS score, d.source, p.gradient_norm
         FROM document_projections p JOIN documents d ON d.id = p.document_id
        WHERE p.space_id = $1 AND p."full" IS NOT NULL
        ORDER BY p.document_id`,
        [assertSafeId(spaceId, 'projection space id'), toVectorLiteral(query, 'vector', 'full query vector')],
      );
    });
    const documentIds = new Int32Array(rows.length);
    const scores = new Float64Array(rows.length);
    const norms = new Float64Array(rows.length);
    const sources: string[] = new Array(rows.length);
    rows.forEach((r, i) => {
      documentIds[i] = Number(r.document_id);
      scores[i] = Number(r.score);
      norms[i] = Number(r.gradient_norm);
      sources[i] = r.source;
    });
    return { documentIds, scores, sources, norms };
  }

  /**
   * Per-layer totals of the projected influence over every document of a space (one scan): for
   * each layer block ℓ (x_d = concat_ℓ x_{d,ℓ}, docs/design.md "Mathematics"), s_ℓ(d) = ⟨y_ℓ, x_{d,ℓ}⟩ computed
   * with pgvector's `subvector`, summed separately over its positive and negative values.
   * Σ_ℓ s_ℓ(d) = ⟨y, x_d⟩. `fullDims` is the space's full dimension (every stored vector must
   * have it); slices must lie inside it.
   */
  async layerScoreSums(spaceId: number, fullDims: number, slices: readonly LayerSlice[], timeoutMs = 120_000): Promise<LayerScoreSums> {
    assertSafeId(spaceId, 'projection space id');
    assertDims(fullDims, 'vector', 'full dimension');
    if (slices.length === 0 || slices.length > 1000) throw new InvalidInputError(`give 1 to 1000 layer slices, got ${slices.length}`);
    const params: unknown[] = [spaceId];
    const scores = slices.map((s, i) => {
      const length = s.query.length;
      if (!Number.isInteger(s.offset) || s.offset < 0 || length < 1 || s.offset + length > fullDims) {
        throw new InvalidInputError(`layer slice ${i} (offset ${s.offset}, length ${length}) does not fit a ${fullDims}-dimensional vector`);
      }
      params.push(toVectorLiteral(s.query, 'vector', `layer slice ${i} of the query`));
      // offsets and lengths are validated integers; pgvector's subvector is 1-based
      return `-(subvector(p."full"::vector(${fullDims}), ${s.offset + 1}, ${length}) <#> $${params.length}::vector(${length}))::float8 AS s${i}`;
    });
    const sums = slices.map((_, i) => `coalesce(sum(greatest(s${i}, 0)), 0)::float8 AS p${i}, coalesce(sum(least(s${i}, 0)), 0)::float8 AS n${i}`);
    const [row] = await this.sql.transaction(async (tx) => {
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.max(1, Math.round(timeoutMs)))]);
      return tx.query<Record<string, number>>(
        `SELECT count(*)::int AS documents, ${sums.join(', ')}
           FROM (SELECT ${scores.join(', ')}
                   FROM document_projections p
                  WHERE p.space_id = $1 AND p."full" IS NOT NULL) per_layer`,
        params,
      );
    });
    return {
      documents: Number(row?.documents ?? 0),
      positive: Float64Array.from(slices, (_, i) => Number(row?.[`p${i}`] ?? 0)),
      negative: Float64Array.from(slices, (_, i) => Number(row?.[`n${i}`] ?? 0)),
    };
  }
}
