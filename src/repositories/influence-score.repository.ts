import type { TransactionalSqlClient } from '../db/database.types';
import { InvalidInputError } from '../errors/tracebase.error';
import { assertDims, assertSafeId } from './vector-sql';
import type { CachedScoreMethod } from '../domain/score-method';

/** An exact influence score to cache. */
export interface ExactScoreRow {
  readonly documentId: number;
  readonly score: number;
  readonly perNat: number;
  readonly layerScores: readonly number[];
  readonly tokenScores: readonly number[];
}

/** A cached exact score with its document's source, projection norm in the space, and damping. */
export interface StoredExactScore extends ExactScoreRow {
  readonly source: string;
  /** Token scores are stored (`tokenScores` holds them when asked for). */
  readonly hasTokens: boolean;
  /** ‖x_d‖ of the document's full projection in the space. */
  readonly gradientNorm: number;
  /** Score-arguments key of the damping it was computed with (e.g. `relative:0.1`). */
  readonly damping: string;
  /** How many stored rows match the page's filter in all (every page of one filter has the same). */
  readonly matching: number;
}

/** Whole-space scores of one query, by ascending document id. */
export interface CachedCorpusScores {
  readonly documentIds: Int32Array;
  readonly scores: Float64Array;
  readonly sources: string[];
}

/** What one chunk of projected whole-space scoring did. */
export interface ProjectedChunk {
  /** Documents of the chunk (0: no document after the cursor). */
  readonly scanned: number;
  /** Scores newly cached (the others were cached already and are left as they are). */
  readonly inserted: number;
  /** Largest document id of the chunk: the cursor of the next one (null when none was scanned). */
  readonly lastDocumentId: number | null;
}

/**
 * The join condition that picks, for a document projection `p`, the cached score of one query
 * under one factor set by one method ($1 query, $2 factor set, $3 space, $4 method). PROJECTED
 * scores belong to the space; EXACT ones to no space. The unique identity index allows at most
 * one such row per document.
 */
const CACHED_FOR_PROJECTION = `s.document_id = p.document_id AND s.query_id = $1 AND s.factor_set_id = $2
  AND s.method = $4::"InfluenceMethod" AND coalesce(s.space_id, 0) = CASE WHEN $4 = 'PROJECTED' THEN $3::int ELSE 0 END`;

/** SQL on `influence_scores` (the cache of exact and whole-space projected scores). */
export class InfluenceScoreRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

  /**
   * Upserts exact scores of one query under one factor set, computed with `damping` (a
   * score-arguments key), in one transaction. Rows are written only while the query's stored
   * gradient under the factor set still has that damping: scores of a computation overtaken by a
   * recomputation under another damping are dropped, never mixed in. Returns how many were written.
   */
  async saveExact(queryId: number, factorSetId: number, damping: string, rows: readonly ExactScoreRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.sql.transaction(async (tx) => {
      let written = 0;
      for (const r of rows) {
        const inserted = await tx.query(
          `INSERT INTO influence_scores (query_id, document_id, factor_set_id, space_id, method, damping, score, per_nat, layer_scores, token_scores)
           SELECT $1, $2, $3, NULL, 'EXACT', $8, $4, $5, $6::float8[], $7::float8[]
            WHERE EXISTS (SELECT 1 FROM query_gradients g WHERE g.query_id = $1 AND g.factor_set_id = $3 AND g.damping = $8)
           ON CONFLICT (query_id, document_id, factor_set_id, method, (coalesce(space_id, 0)))
           DO UPDATE SET score = EXCLUDED.score, per_nat = EXCLUDED.per_nat, layer_scores = EXCLUDED.layer_scores,
                         token_scores = EXCLUDED.token_scores, damping = EXCLUDED.damping, created_at = now()
           RETURNING 1`,
          [queryId, r.documentId, factorSetId, r.score, r.perNat, [...r.layerScores], [...r.tokenScores], damping],
        );
        written += inserted.length;
      }
      return written;
    });
  }

  /**
   * Caches the exact totals and layer terms of a whole-corpus pass (no token scores), many queries
   * at once, each row with the damping its query was preconditioned with (a score-arguments key).
   * A pair cached before is kept as it is, and a row is written only while its query's stored
   * gradient under the factor set still has that damping (a pass overtaken by a recomputation
   * under another damping writes nothing for that query). Returns how many rows were written.
   */
  async saveExactTotals(factorSetId: number, rows: readonly (Omit<ExactScoreRow, 'tokenScores'> & { queryId: number; damping: string })[]): Promise<number> {
    if (rows.length === 0) return 0;
    const per = 500;
    let inserted = 0;
    await this.sql.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += per) {
        const part = rows.slice(i, i + per);
        const values = part.map(
          (_, k) => `($${k * 6 + 2}::int, $${k * 6 + 3}::int, $${k * 6 + 4}::text, $${k * 6 + 5}::float8, $${k * 6 + 6}::float8, $${k * 6 + 7}::float8[])`,
        );
        const params: unknown[] = [factorSetId];
        for (const r of part) params.push(r.queryId, r.documentId, r.damping, r.score, r.perNat, [...r.layerScores]);
        const done = await tx.query<{ one: number }>(
          `INSERT INTO influence_scores (query_id, document_id, factor_set_id, space_id, method, damping, score, per_nat, layer_scores)
           SELECT v.query_id, v.document_id, $1::int, NULL::int, 'EXACT'::"InfluenceMethod", v.damping, v.score, v.per_nat, v.layer_scores
             FROM (VALUES ${values.join(', ')}) AS v(query_id, document_id, damping, score, per_nat, layer_scores)
            WHERE EXISTS (SELECT 1 FROM query_gradients g WHERE g.query_id = v.query_id AND g.factor_set_id = $1 AND g.damping = v.damping)
           ON CONFLICT (query_id, document_id, factor_set_id, method, (coalesce(space_id, 0))) DO NOTHING
           RETURNING 1 AS one`,
          params,
        );
        inserted += done.length;
      }
    });
    return inserted;
  }

  /**
   * Exact-score coverage of many queries over the documents of a space (those with a full
   * projection): the space's document count, and per query how many have a cached EXACT score.
   * All cached scores of a query under a factor set share its gradient's damping (saving a
   * gradient under another damping drops the others; writes are guarded), so coverage needs no
   * damping filter.
   */
  async exactCoverage(queryIds: readonly number[], factorSetId: number, spaceId: number): Promise<{ documents: number; cached: Map<number, number> }> {
    const [head] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM document_projections WHERE space_id = $1 AND "full" IS NOT NULL`, [
      spaceId,
    ]);
    const rows = await this.sql.query<{ query_id: number; cached: number }>(
      `SELECT s.query_id, count(*)::int AS cached
         FROM influence_scores s JOIN document_projections p ON p.document_id = s.document_id AND p.space_id = $3 AND p."full" IS NOT NULL
        WHERE s.query_id = ANY($1::int[]) AND s.factor_set_id = $2 AND s.method = 'EXACT'
        GROUP BY s.query_id`,
      [[...queryIds], factorSetId, spaceId],
    );
    const cached = new Map(queryIds.map((q) => [q, 0]));
    for (const r of rows) cached.set(Number(r.query_id), Number(r.cached));
    return { documents: Number(head?.n ?? 0), cached };
  }

  /**
   * A page of one query's cached exact ranking over the documents of a space: by score
   * descending (`highest`) or ascending, ties by document id, `offset` rows skipped, at most
   * `limit` rows, each with its document's source and whether token scores are stored.
   */
  async exactRanking(input: {
    queryId: number;
    factorSetId: number;
    spaceId: number;
    order: 'highest' | 'lowest';
    offset: number;
    limit: number;
    /** `score` (default) or `normalized`: score / gradient_norm of the document's projection in the space (0 for a zero norm). */
    by?: 'score' | 'normalized';
    /** Also return the stored token scores (empty where none are stored). */
    tokens?: boolean;
    /** Only documents of this sign of I(q,d) (`positive`: > 0, `negative`: < 0); default all. */
    sign?: 'positive' | 'negative';
  }): Promise<StoredExactScore[]> {
    const dir = input.order === 'highest' ? 'DESC' : 'ASC';
    const key = input.by === 'normalized' ? `CASE WHEN p.gradient_norm > 0 THEN s.score / p.gradient_norm ELSE 0 END` : 's.score';
    const rows = await this.sql.query<{
      document_id: number;
      score: number;
      per_nat: number;
      layer_scores: number[];
      token_scores: number[] | null;
      source: string;
      has_tokens: boolean;
      gradient_norm: number;
      damping: string;
      matching: number;
    }>(
      `SELECT s.document_id, s.score, s.per_nat, s.layer_scores, ${input.tokens ? 's.token_scores' : 'NULL::float8[] AS token_scores'}, d.source,
              cardinality(s.token_scores) > 0 AS has_tokens, p.gradient_norm, s.damping, count(*) OVER ()::int AS matching
         FROM influence_scores s JOIN document_projections p ON p.document_id = s.document_id AND p.space_id = $3 AND p."full" IS NOT NULL
         JOIN documents d ON d.id = s.document_id
        WHERE s.query_id = $1 AND s.factor_set_id = $2 AND s.method = 'EXACT'${input.sign === 'positive' ? ' AND s.score > 0' : input.sign === 'negative' ? ' AND s.score < 0' : ''}
        ORDER BY ${key} ${dir}, s.document_id ASC OFFSET $4 LIMIT $5`,
      [input.queryId, input.factorSetId, input.spaceId, input.offset, input.limit],
    );
    return rows.map((r) => ({
      documentId: Number(r.document_id),
      score: Number(r.score),
      perNat: Number(r.per_nat),
      layerScores: r.layer_scores.map(Number),
      tokenScores: (r.token_scores ?? []).map(Number),
      source: r.source,
      hasTokens: Boolean(r.has_tokens),
      gradientNorm: Number(r.gradient_norm),
      damping: r.damping,
      matching: Number(r.matching),
    }));
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
        {
          documentId: Number(r.document_id),
          score: Number(r.score),
          perNat: Number(r.per_nat),
          layerScores: r.layer_scores.map(Number),
          tokenScores: r.token_scores.map(Number),
        },
      ]),
    );
  }

  /**
   * Caches ⟨y_q, x_d⟩ for the next `limit` documents of a space after `afterDocumentId` (by id),
   * in one statement: y_q is the query's stored full projection in the space under the factor
   * set, x_d each document's full projection (`fullDims` dimensions), per_nat = score / nats(q)
   * (0 when nats is 0), recorded with the gradient's damping. A score already cached for (query, document, factor set, PROJECTED,
   * space) is left as it is: re-running a chunk never duplicates or replaces anything.
   */
  async cacheProjectedChunk(input: {
    queryId: number;
    factorSetId: number;
    spaceId: number;
    fullDims: number;
    afterDocumentId: number;
    limit: number;
  }): Promise<ProjectedChunk> {
    const dims = assertDims(input.fullDims, 'vector', 'full dimension');
    if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 100_000)
      throw new InvalidInputError(`chunk size must be 1..100000, got ${input.limit}`);
    const [row] = await this.sql.query<{ scanned: number; inserted: number; last: number | null }>(
      `WITH y AS (
         SELECT qp."full" AS v, g.nats, g.damping FROM query_projections qp JOIN query_gradients g ON g.id = qp.query_gradient_id
          WHERE g.query_id = $1 AND g.factor_set_id = $2 AND qp.space_id = $3 AND qp."full" IS NOT NULL
       ),
       chunk AS (
         SELECT p.document_id, -(p."full"::vector(${dims}) <#> y.v::vector(${dims}))::float8 AS score, y.nats, y.damping
           FROM document_projections p CROSS JOIN y
          WHERE p.space_id = $3 AND p."full" IS NOT NULL AND p.document_id > $4
          ORDER BY p.document_id LIMIT $5
       ),
       ins AS (
         INSERT INTO influence_scores (query_id, document_id, factor_set_id, space_id, method, damping, score, per_nat)
         SELECT $1, c.document_id, $2, $3, 'PROJECTED'::"InfluenceMethod", c.damping, c.score, CASE WHEN c.nats > 0 THEN c.score / c.nats ELSE 0 END FROM chunk c
         ON CONFLICT (query_id, document_id, factor_set_id, method, (coalesce(space_id, 0))) DO NOTHING
         RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM chunk) AS scanned, (SELECT count(*)::int FROM ins) AS inserted, (SELECT max(document_id) FROM chunk) AS last`,
      [
        assertSafeId(input.queryId, 'query id'),
        assertSafeId(input.factorSetId, 'factor set id'),
        assertSafeId(input.spaceId, 'projection space id'),
        input.afterDocumentId,
        input.limit,
      ],
    );
    return {
      scanned: Number(row?.scanned ?? 0),
      inserted: Number(row?.inserted ?? 0),
      lastDocumentId: row?.last === null || row?.last === undefined ? null : Number(row.last),
    };
  }

  /**
   * How many documents of a space (those with a full projection) there are, and for how many
   * the given query has a cached score by `method` under the factor set (PROJECTED: in this
   * space). The cache is complete for the space when both are equal and not 0.
   */
  async coverage(queryId: number, factorSetId: number, spaceId: number, method: CachedScoreMethod): Promise<{ documents: number; cached: number }> {
    const [row] = await this.sql.query<{ documents: number; cached: number }>(
      `SELECT count(*)::int AS documents, count(s.document_id)::int AS cached
         FROM document_projections p LEFT JOIN influence_scores s ON ${CACHED_FOR_PROJECTION}
        WHERE p.space_id = $3 AND p."full" IS NOT NULL`,
      [queryId, factorSetId, spaceId, method],
    );
    return { documents: Number(row?.documents ?? 0), cached: Number(row?.cached ?? 0) };
  }

  /** Documents of a space (with a full projection) whose score by `method` is not cached for the query, ascending. */
  async uncachedDocuments(queryId: number, factorSetId: number, spaceId: number, method: CachedScoreMethod): Promise<number[]> {
    const rows = await this.sql.query<{ document_id: number }>(
      `SELECT p.document_id FROM document_projections p
        WHERE p.space_id = $3 AND p."full" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM influence_scores s WHERE ${CACHED_FOR_PROJECTION})
        ORDER BY p.document_id`,
      [queryId, factorSetId, spaceId, method],
    );
    return rows.map((r) => Number(r.document_id));
  }

  /**
   * The cached scores by `method` of one query for the documents of a space that have them,
   * with each document's source, by ascending document id (one scan, bounded by a statement
   * timeout like the on-the-fly whole-space scan).
   */
  async cachedScores(queryId: number, factorSetId: number, spaceId: number, method: CachedScoreMethod, timeoutMs = 120_000): Promise<CachedCorpusScores> {
    const rows = await this.sql.transaction(async (tx) => {
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.max(1, Math.round(timeoutMs)))]);
      return tx.query<{ document_id: number; score: number; source: string }>(
        `SELECT p.document_id, s.score, d.source
           FROM document_projections p JOIN influence_scores s ON ${CACHED_FOR_PROJECTION} JOIN documents d ON d.id = p.document_id
          WHERE p.space_id = $3 AND p."full" IS NOT NULL
          ORDER BY p.document_id`,
        [queryId, factorSetId, spaceId, method],
      );
    });
    const documentIds = new Int32Array(rows.length);
    const scores = new Float64Array(rows.length);
    const sources: string[] = new Array(rows.length);
    rows.forEach((r, i) => {
      documentIds[i] = Number(r.document_id);
      scores[i] = Number(r.score);
      sources[i] = r.source;
    });
    return { documentIds, scores, sources };
  }
}
