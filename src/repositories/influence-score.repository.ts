import type { TransactionalSqlClient } from '../db/database.types';

/** An exact influence score to cache. */
export interface ExactScoreRow {
  readonly documentId: number;
  readonly score: number;
  readonly perNat: number;
  readonly layerScores: readonly number[];
  readonly tokenScores: readonly number[];
}

/** SQL on `influence_scores` (the cache of exact scores). */
export class InfluenceScoreRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

  /** Upserts exact scores of one query under one factor set, in one transaction. */
  async saveExact(queryId: number, factorSetId: number, rows: readonly ExactScoreRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.sql.transaction(async (tx) => {
      for (const r of rows) {
        await tx.query(
          `INSERT INTO influence_scores (query_id, document_id, factor_set_id, space_id, method, score, per_nat, layer_scores, token_scores)
           VALUES ($1, $2, $3, NULL, 'EXACT', $4, $5, $6::float8[], $7::float8[])
           ON CONFLICT (query_id, document_id, factor_set_id, method, (coalesce(space_id, 0)))
           DO UPDATE SET score = EXCLUDED.score, per_nat = EXCLUDED.per_nat, layer_scores = EXCLUDED.layer_scores,
                         token_scores = EXCLUDED.token_scores, created_at = now()`,
          [queryId, r.documentId, factorSetId, r.score, r.perNat, [...r.layerScores], [...r.tokenScores]],
        );
      }
    });
  }

  /**
   * Per-layer totals of the cached exact scores of one query under one factor set: for each
   * layer ℓ, Σ_d max(I_ℓ(q,d), 0) and Σ_d min(I_ℓ(q,d), 0) over the documents whose exact
   * influence is cached (`layer_scores` holds ⟨M_ℓ(q), G_ℓ(d)⟩ in the factor set's layer
   * order). `layers` is the length of the stored arrays (they all have one length; a mix is
   * reported as -1).
   */
  async exactLayerSums(queryId: number, factorSetId: number): Promise<{ documents: number; layers: number; positive: number[]; negative: number[] }> {
    const [head] = await this.sql.query<{ documents: number; shortest: number | null; longest: number | null }>(
      `SELECT count(*)::int AS documents, min(cardinality(layer_scores))::int AS shortest, max(cardinality(layer_scores))::int AS longest
         FROM influence_scores WHERE query_id = $1 AND factor_set_id = $2 AND method = 'EXACT'`,
      [queryId, factorSetId],
    );
    const documents = Number(head?.documents ?? 0);
    if (documents === 0) return { documents, layers: 0, positive: [], negative: [] };
    if (head!.shortest !== head!.longest) return { documents, layers: -1, positive: [], negative: [] };
    const rows = await this.sql.query<{ layer: number; positive: number; negative: number }>(
      `SELECT u.layer::int AS layer, sum(greatest(u.value, 0))::float8 AS positive, sum(least(u.value, 0))::float8 AS negative
         FROM influence_scores s CROSS JOIN LATERAL unnest(s.layer_scores) WITH ORDINALITY AS u(value, layer)
        WHERE s.query_id = $1 AND s.factor_set_id = $2 AND s.method = 'EXACT'
        GROUP BY u.layer ORDER BY u.layer`,
      [queryId, factorSetId],
    );
    return { documents, layers: Number(head!.longest), positive: rows.map((r) => Number(r.positive)), negative: rows.map((r) => Number(r.negative)) };
  }

  /** Cached exact scores of the given documents, by document id. */
  async findExact(queryId: number, factorSetId: number, documentIds: readonly number[]): Promise<Map<number, ExactScoreRow>> {
    const rows = await this.sql.query<{ document_id: number; score: number; per_nat: number; layer_scores: number[]; token_scores: number[] }>(
      `SELECT document_id, score, per_nat, layer_scores, token_scores FROM influence_scores
        WHERE query_id = $1 AND factor_set_id = $2 AND method = 'EXACT' AND document_id = ANY($3::int[])`,
      [queryId, factorSetId, documentIds],
    );
    return new Map(
      rows.map((r) => [
        Number(r.document_id),
        { documentId: Number(r.document_id), score: Number(r.score), perNat: Number(r.per_nat), layerScores: r.layer_scores.map(Number), tokenScores: r.token_scores.map(Number) },
      ]),
    );
  }
}
