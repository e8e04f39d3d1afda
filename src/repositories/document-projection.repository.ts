import { InvalidInputError } from '../errors/tracebase.error';
import type { SqlClient, TransactionalSqlClient } from '../db/database.types';
import { assertDims, assertSafeId, parseVector, toVectorLiteral, toVectorParameter, type VectorEncoding, type VectorType } from './vector-sql';

/** x_d of one document in one projection space, as stored. */
export interface DocumentProjectionRecord {
  readonly documentId: number;
  /** Sketch (≤ 4000 dims), stored as halfvec. */
  readonly sketch: Float32Array | null;
  /** Full projection (≤ 16000 dims), stored as vector (float32). */
  readonly full: Float32Array | null;
  /** Summed token loss of the document, nats. */
  readonly loss: number;
  readonly tokenCount: number;
  /** ‖x_d‖₂. */
  readonly gradientNorm: number;
}

/** One hit of an inner-product search: score = ⟨y_q, x_d⟩ (or ⟨y_q, x_d⟩ / ‖x_d‖ normalised). */
export interface InnerProductHit {
  readonly documentId: number;
  readonly score: number;
}

/** A hit of {@link DocumentProjectionRepository.searchInnerProduct}, with what a ranking reports. */
export interface SearchHit extends InnerProductHit {
  /** ⟨q, x⟩ of the searched column (equals `score` unless the search is normalised). */
  readonly rawScore: number;
  /** Stored ‖x_d‖₂ of the document's full projection. */
  readonly gradientNorm: number;
}

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

/** Options of an approximate (HNSW) or exact inner-product search. */
export interface InnerProductSearch {
  readonly spaceId: number;
  readonly query: Float32Array;
  /**
   * `sketch`: the raw halfvec sketches (HNSW-indexed in spaces without a search whitening);
   * `search`: the sketches in the space's whitened search basis (`search_sketch`, HNSW-indexed
   * once the space has a whitening; the query must be whitened with the same basis);
   * `full`: vector column, exact scan.
   */
  readonly column: SearchColumn;
  readonly k: number;
  /** Most negative first instead of most positive. */
  readonly ascending?: boolean;
  /** hnsw.ef_search for this search (pgvector default 40). */
  readonly efSearch?: number;
  /** Let HNSW keep scanning until k rows pass the filter (pgvector ≥ 0.8 iterative scans). */
  readonly iterativeScan?: boolean;
  /**
   * Rank by ⟨q, x/‖x‖⟩ (x unit-normalised by pgvector's `l2_normalize`; 0 for a zero vector)
   * instead of ⟨q, x⟩: on the sketch column this is what the space's second HNSW index serves
   * ({@link normalizedSketchIndexName}).
   */
  readonly normalized?: boolean;
}

/** The exact stage of {@link DocumentProjectionRepository.searchReranked}. */
export interface FullRerank {
  /** y: the full query vector (as stored: neither whitened nor negated). */
  readonly query: Float32Array;
  /** Rows kept after the rerank (at most the search's candidates). */
  readonly k: number;
  /** Most negative ⟨y, x_d⟩ (or ⟨y, x_d⟩ / ‖x_d‖) first. */
  readonly ascending: boolean;
  /** Order by ⟨y, x_d⟩, or by ⟨y, x_d⟩ / ‖x_d‖ with the stored gradient norm. */
  readonly by: 'score' | 'normalized';
}

/** A reranked hit: score = ⟨y, x_d⟩ with the full vector, and the stored ‖x_d‖₂. */
export interface RerankedHit extends InnerProductHit {
  readonly gradientNorm: number;
}

/** Which stored vector a search orders by. */
export type SearchColumn = 'sketch' | 'search' | 'full';

/** Most rows a search may return. */
export const MAX_SEARCH_K = 10_000;
const ROWS_PER_STATEMENT = 500;

/** Name of the HNSW index on one projection space's sketches. */
export function sketchIndexName(spaceId: number): string {
  return `document_projections_sketch_hnsw_space_${assertSafeId(spaceId, 'projection space id')}`;
}

/** Name of the HNSW index on one projection space's whitened sketches (`search_sketch`). */
export function searchSketchIndexName(spaceId: number): string {
  return `document_projections_search_hnsw_space_${assertSafeId(spaceId, 'projection space id')}`;
}

/** maintenance_work_mem of an index build, MB (100k whitened 512-dim sketches at m 32: a graph of ≈ 160 MB). */
export const INDEX_BUILD_MEMORY_MB = 1024;

/**
 * HNSW build parameters of the whitened index. Measured at 100k (docs/benchmarks.md): m 16 /
 * ef_construction 64 recall 0.96, m 32 / 128 0.990, m 32 / 200 0.996 (0.992 at ef_search 800),
 * m 32 / 400 no better per millisecond and a build 2.4x as long.
 */
export const SEARCH_INDEX_BUILD = { m: 32, efConstruction: 200 } as const;

/** Name of the HNSW index on one projection space's unit-normalised sketches (norm-normalised rankings). */
export function normalizedSketchIndexName(spaceId: number): string {
  return `document_projections_sketch_unit_hnsw_space_${assertSafeId(spaceId, 'projection space id')}`;
}

/** The ordering expression of a search: the column cast to its dimension, unit-normalised on request. */
function searchTarget(column: SearchColumn, dims: number, normalized: boolean): string {
  const type = columnType(column);
  const name = columnName(column);
  // must stay textually the index expressions of ensureSketchIndex, or the planner cannot use them
  return normalized ? `(l2_normalize(${name})::${type}(${dims}))` : `(${name}::${type}(${dims}))`;
}

/** The pgvector type of a searched column: float32 `vector` for the full projection, `halfvec` for the sketches. */
function columnType(column: SearchColumn): VectorType {
  return column === 'full' ? 'vector' : 'halfvec';
}

function columnName(column: SearchColumn): string {
  return column === 'full' ? '"full"' : column === 'search' ? 'search_sketch' : 'sketch';
}

/**
 * Checks a search's space id, row count (`what`: how errors name it) and query vector, and
 * returns the query's dimension and its literal in the column's type.
 */
function searchParameters(search: InnerProductSearch, what: string): { dims: number; literal: string } {
  const { spaceId, query, column, k } = search;
  assertSafeId(spaceId, 'projection space id');
  if (!Number.isInteger(k) || k < 1 || k > MAX_SEARCH_K) {
    throw new InvalidInputError(`${what} must be an integer from 1 to ${MAX_SEARCH_K}, got ${k}`);
  }
  const type = columnType(column);
  return { dims: assertDims(query.length, type, `${column} query dimension`), literal: toVectorLiteral(query, type, `${column} query vector`) };
}

/**
 * Sets a search's HNSW settings for the current transaction, in one statement: ef_search (the
 * size of the candidate list the graph search keeps) and, with `iterativeScan`, pgvector's
 * relaxed-order iterative scan.
 */
async function applySearchSettings(tx: SqlClient, search: Pick<InnerProductSearch, 'efSearch' | 'iterativeScan'>): Promise<void> {
  const { efSearch, iterativeScan } = search;
  if (efSearch !== undefined && (!Number.isInteger(efSearch) || efSearch < 1 || efSearch > 1000)) {
    throw new InvalidInputError(`ef_search must be an integer from 1 to 1000, got ${efSearch}`);
  }
  const settings: string[] = [];
  const params: string[] = [];
  if (efSearch !== undefined) {
    params.push(String(efSearch));
    settings.push(`set_config('hnsw.ef_search', $1, true)`);
  }
  if (iterativeScan) settings.push(`set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
  if (settings.length > 0) await tx.query(`SELECT ${settings.join(', ')}`, params);
}

/**
 * FROM, WHERE, ORDER BY and LIMIT of a search ($1 space id, $2 query vector, $3 rows): ordered
 * by the target's negated inner product with the query, so that HNSW (ascending `<#>` only) can
 * serve it.
 */
function searchScan(column: SearchColumn, dims: number, normalized: boolean, ascending: boolean): string {
  if (normalized && column === 'search') throw new InvalidInputError('a normalised search orders by the raw sketches, not the whitened ones');
  const type = columnType(column);
  return `FROM document_projections
           WHERE space_id = $1 AND ${columnName(column)} IS NOT NULL
           ORDER BY ${searchTarget(column, dims, normalized)} <#> $2::${type}(${dims}) ${ascending ? 'DESC' : 'ASC'}
           LIMIT $3`;
}

/** The search statement: {@link searchScan}'s rows with their scores and gradient norms. */
function searchStatement(column: SearchColumn, dims: number, normalized: boolean, ascending: boolean): string {
  const type = columnType(column);
  const scan = searchScan(column, dims, normalized, ascending);
  return `SELECT document_id, -(${searchTarget(column, dims, normalized)} <#> $2::${type}(${dims}))::float8 AS score,
                 -(${searchTarget(column, dims, false)} <#> $2::${type}(${dims}))::float8 AS raw_score, gradient_norm
            ${scan}`;
}

/**
 * The two-stage statement ($1–$3 of {@link searchScan}, $4 full query y, $5 rows kept): the
 * search's candidates, each scored exactly by ⟨y, x_d⟩ with its full vector as it comes off the
 * index scan (no second lookup by id), ordered by score or score / ‖x_d‖, with the number of
 * candidates the search found.
 */
function rerankedSearchStatement(search: { column: SearchColumn; dims: number; normalized: boolean; ascending: boolean }, fullDims: number, rerank: { ascending: boolean; by: 'score' | 'normalized' }): string {
  const key = rerank.by === 'normalized' ? 'CASE WHEN gradient_norm > 0 THEN score / gradient_norm ELSE 0 END' : 'score';
  return `SELECT document_id, score, gradient_norm, candidates FROM (
            SELECT document_id, gradient_norm, count(*) OVER ()::int AS candidates,
                   -("full"::vector(${fullDims}) <#> $4::vector(${fullDims}))::float8 AS score
              FROM (SELECT document_id, "full", gradient_norm
                    ${searchScan(search.column, search.dims, search.normalized, search.ascending)}) found) scored
           WHERE score IS NOT NULL
           ORDER BY ${key} ${rerank.ascending ? 'ASC' : 'DESC'}, document_id
           LIMIT $5`;
}

/**
 * All SQL on `document_projections`. Vectors are bound as parameters cast to their pgvector
 * types (text, or binary for the writes on Postgres); the HNSW index of a space is a partial
 * expression index `((sketch::halfvec(D)) halfvec_ip_ops) WHERE space_id = S`, so each space has its own graph
 * and dimension; a second one on `(l2_normalize(sketch)::halfvec(D))` serves rankings by
 * influence divided by the document's gradient norm (docs/design.md "Mathematics: Norm dominance").
 */
export class DocumentProjectionRepository {
  /**
   * @param rowsPerStatement rows per multi-row INSERT (bounded by Postgres' 65535 parameters).
   * @param vectorEncoding how {@link upsertMany} binds vectors: `binary` (pgvector's binary
   *   input, no decimal text; node-postgres only) or `text` (every back-end).
   */
  constructor(
    private readonly sql: TransactionalSqlClient,
    private readonly rowsPerStatement = ROWS_PER_STATEMENT,
    private readonly vectorEncoding: VectorEncoding = 'text',
  ) {}

  /**
   * Inserts or replaces the projections of `rows` in one space, in one transaction, in
   * multi-row statements. Keyed by (space, document): re-running is idempotent. Vectors are
   * bound in the repository's encoding, both as `vector` parameters (float32, exact), the sketch
   * cast to `halfvec` in SQL.
   */
  async upsertMany(spaceId: number, rows: readonly DocumentProjectionRecord[]): Promise<number> {
    assertSafeId(spaceId, 'projection space id');
    if (rows.length === 0) return 0;
    const seen = new Set<number>();
    for (const [i, r] of rows.entries()) {
      if (seen.has(r.documentId)) {
        throw new InvalidInputError(`projection batch has document ${r.documentId} twice (row ${i}); each document once per batch`);
      }
      seen.add(r.documentId);
    }
    const prepared = rows.map((r, i) => {
      const where = `projection of document ${r.documentId} (row ${i})`;
      if (!r.sketch && !r.full) throw new InvalidInputError(`${where} has neither a sketch nor a full vector`);
      if (!Number.isFinite(r.gradientNorm) || r.gradientNorm < 0) {
        throw new InvalidInputError(`${where} has gradientNorm ${r.gradientNorm}; it must be finite and >= 0`);
      }
      if (!Number.isFinite(r.loss)) throw new InvalidInputError(`${where} has a non-finite loss ${r.loss}`);
      return [
        r.documentId,
        r.sketch ? toVectorParameter(r.sketch, 'halfvec', `${where} sketch`, this.vectorEncoding) : null,
        r.full ? toVectorParameter(r.full, 'vector', `${where} full vector`, this.vectorEncoding) : null,
        r.loss,
        r.tokenCount,
        r.gradientNorm,
      ];
    });
    await this.sql.transaction(async (tx) => {
      for (let start = 0; start < prepared.length; start += this.rowsPerStatement) {
        const chunk = prepared.slice(start, start + this.rowsPerStatement);
        const params: unknown[] = [spaceId];
        const values = chunk.map((row) => {
          const base = params.length;
          params.push(...row);
          return `($1, $${base + 1}, $${base + 2}::vector::halfvec, $${base + 3}::vector, $${base + 4}, $${base + 5}, $${base + 6})`;
        });
        await tx.query(
          `INSERT INTO document_projections (space_id, document_id, sketch, "full", loss, token_count, gradient_norm)
           VALUES ${values.join(', ')}
           ON CONFLICT (space_id, document_id) DO UPDATE SET
             sketch = EXCLUDED.sketch, "full" = EXCLUDED."full", loss = EXCLUDED.loss,
             token_count = EXCLUDED.token_count, gradient_norm = EXCLUDED.gradient_norm,
             search_sketch = NULL, created_at = now()`,
          params,
        );
      }
    });
    return prepared.length;
  }

  /** The stored projections of the given documents in one space (absent ones are skipped). */
  async findByDocuments(spaceId: number, documentIds: readonly number[]): Promise<DocumentProjectionRecord[]> {
    const rows = await this.sql.query<{
      document_id: number;
      sketch: unknown;
      full: unknown;
      loss: number;
      token_count: number;
      gradient_norm: number;
    }>(
      `SELECT document_id, sketch::text AS sketch, "full"::text AS "full", loss, token_count, gradient_norm
         FROM document_projections
        WHERE space_id = $1 AND document_id = ANY($2::int[])
        ORDER BY document_id`,
      [spaceId, documentIds],
    );
    return rows.map((r) => ({
      documentId: Number(r.document_id),
      sketch: parseVector(r.sketch),
      full: parseVector(r.full),
      loss: Number(r.loss),
      tokenCount: Number(r.token_count),
      gradientNorm: Number(r.gradient_norm),
    }));
  }

  /** Whether a space holds any projection (an index probe, unlike `count`). */
  async hasAny(spaceId: number): Promise<boolean> {
    const [row] = await this.sql.query<{ present: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM document_projections WHERE space_id = $1) AS present',
      [spaceId],
    );
    return row?.present === true;
  }

  /** Number of projections stored in a space. */
  async count(spaceId: number): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM document_projections WHERE space_id = $1',
      [spaceId],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Creates the HNSW indexes of one space's sketches if they do not exist (after a bulk load:
   * building on loaded rows is faster than maintaining them row by row), then ANALYZE: one for
   * raw influence rankings — on the whitened `search_sketch` when `whitened` (m and
   * ef_construction default to {@link SEARCH_INDEX_BUILD}), else on the raw sketches (m 16,
   * ef_construction 64) — and one on the unit-normalised raw sketches `l2_normalize(sketch)`
   * (rankings by influence / gradient norm; m 16, ef_construction 64). `dims` must equal the
   * space's sketch dimension. The builds run in one transaction with `maintenance_work_mem` set
   * to `maintenanceWorkMemMb` (default {@link INDEX_BUILD_MEMORY_MB}). Returns the raw-ranking
   * index's name.
   */
  async ensureSketchIndex(
    spaceId: number,
    dims: number,
    options: { whitened?: boolean; m?: number; efConstruction?: number; maintenanceWorkMemMb?: number } = {},
  ): Promise<string> {
    const whitened = options.whitened ?? false;
    const name = whitened ? searchSketchIndexName(spaceId) : sketchIndexName(spaceId);
    assertDims(dims, 'halfvec', 'sketch dimension');
    const m = options.m ?? (whitened ? SEARCH_INDEX_BUILD.m : 16);
    const ef = options.efConstruction ?? (whitened ? SEARCH_INDEX_BUILD.efConstruction : 64);
    if (!Number.isInteger(m) || m < 2 || m > 100) throw new InvalidInputError(`HNSW m must be 2..100, got ${m}`);
    if (!Number.isInteger(ef) || ef < 4 || ef > 1000) throw new InvalidInputError(`HNSW ef_construction must be 4..1000, got ${ef}`);
    // DDL takes no bound parameters: every interpolated value was validated as an integer above.
    // Two processes building the same index at once: the later one fails on the catalog's
    // unique name (23505) or finds the relation (42P07); the index exists then, which is the goal.
    const memory = options.maintenanceWorkMemMb ?? INDEX_BUILD_MEMORY_MB;
    if (!Number.isInteger(memory) || memory < 1 || memory > 65_536) throw new InvalidInputError(`index build memory must be 1..65536 MB, got ${memory}`);
    // DDL takes no bound parameters: every interpolated value was validated as an integer above.
    // Two processes building the same index at once: the later one fails on the catalog's
    // unique name (23505) or finds the relation (42P07); the index exists then, which is the goal.
    await this.sql
      .transaction(async (tx) => {
        // the graph must fit in maintenance_work_mem or the build slows down several-fold
        await tx.query(`SELECT set_config('maintenance_work_mem', $1, true)`, [`${memory}MB`]);
        await tx.exec(
          `CREATE INDEX IF NOT EXISTS "${name}" ON document_projections
             USING hnsw (${searchTarget(whitened ? 'search' : 'sketch', dims, false)} halfvec_ip_ops) WITH (m = ${m}, ef_construction = ${ef})
             WHERE space_id = ${spaceId};
           CREATE INDEX IF NOT EXISTS "${normalizedSketchIndexName(spaceId)}" ON document_projections
             USING hnsw (${searchTarget('sketch', dims, true)} halfvec_ip_ops) WITH (m = 16, ef_construction = 64)
             WHERE space_id = ${spaceId};`,
        );
      })
      .catch(async (error: { code?: string }) => {
        if ((error.code === '23505' || error.code === '42P07') && (await this.hasSketchIndex(spaceId))) return;
        throw error;
      });
    await this.sql.exec('ANALYZE document_projections');
    return name;
  }

  /** Drops a space's HNSW indexes, raw, whitened and normalised (before a large reload). */
  async dropSketchIndex(spaceId: number): Promise<void> {
    await this.sql.exec(
      `DROP INDEX IF EXISTS "${sketchIndexName(spaceId)}"; DROP INDEX IF EXISTS "${searchSketchIndexName(spaceId)}";
       DROP INDEX IF EXISTS "${normalizedSketchIndexName(spaceId)}"`,
    );
  }

  /** Whether the space's HNSW indexes exist: the normalised one and a raw-ranking one (raw or whitened sketches). */
  async hasSketchIndex(spaceId: number): Promise<boolean> {
    const [row] = await this.sql.query<{ present: boolean }>(
      'SELECT (to_regclass($1) IS NOT NULL OR to_regclass($2) IS NOT NULL) AND to_regclass($3) IS NOT NULL AS present',
      [`"${sketchIndexName(spaceId)}"`, `"${searchSketchIndexName(spaceId)}"`, `"${normalizedSketchIndexName(spaceId)}"`],
    );
    return Boolean(row?.present);
  }

  /**
   * Up to `limit` sketches of a space, a deterministic pseudo-random sample (ordered by a hash
   * of the document id): what a search whitening is fitted on.
   */
  async sampleSketches(spaceId: number, limit: number): Promise<Float32Array[]> {
    assertSafeId(spaceId, 'projection space id');
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError(`sample size must be a positive integer, got ${limit}`);
    const rows = await this.sql.query<{ sketch: string }>(
      `SELECT sketch::text AS sketch FROM document_projections
        WHERE space_id = $1 AND sketch IS NOT NULL ORDER BY hashint4(document_id), document_id LIMIT $2`,
      [spaceId, limit],
    );
    return rows.map((r) => parseVector(r.sketch)!);
  }

  /** The next `limit` documents (by id, after `afterId`) whose whitened sketch is still missing, with their raw sketch. */
  async sketchesWithoutSearchSketch(spaceId: number, afterId: number, limit: number): Promise<{ documentId: number; sketch: Float32Array }[]> {
    assertSafeId(spaceId, 'projection space id');
    const rows = await this.sql.query<{ document_id: number; sketch: string }>(
      `SELECT document_id, sketch::text AS sketch FROM document_projections
        WHERE space_id = $1 AND search_sketch IS NULL AND sketch IS NOT NULL AND document_id > $2
        ORDER BY document_id LIMIT $3`,
      [spaceId, afterId, limit],
    );
    return rows.map((r) => ({ documentId: Number(r.document_id), sketch: parseVector(r.sketch)! }));
  }

  /** Stores whitened sketches (one statement; rows of other spaces or absent documents are untouched). */
  async setSearchSketches(spaceId: number, rows: readonly { documentId: number; vector: Float32Array }[]): Promise<number> {
    assertSafeId(spaceId, 'projection space id');
    if (rows.length === 0) return 0;
    const dims = assertDims(rows[0]!.vector.length, 'halfvec', 'whitened sketch dimension');
    const ids = rows.map((r) => assertSafeId(r.documentId, 'document id'));
    const vectors = rows.map((r, i) => {
      if (r.vector.length !== dims) throw new InvalidInputError(`whitened sketch ${i} has ${r.vector.length} dims, expected ${dims}`);
      return toVectorLiteral(r.vector, 'halfvec', `whitened sketch of document ${r.documentId}`);
    });
    const updated = await this.sql.query<{ n: number }>(
      `WITH u AS (
         UPDATE document_projections p SET search_sketch = v.s::halfvec(${dims})
           FROM unnest($2::int[], $3::text[]) AS v(id, s)
          WHERE p.space_id = $1 AND p.document_id = v.id
         RETURNING 1)
       SELECT count(*)::int AS n FROM u`,
      [spaceId, ids, vectors],
    );
    return Number(updated[0]?.n ?? 0);
  }

  /** Whether some document of the space has a sketch but no whitened sketch yet. */
  async hasMissingSearchSketches(spaceId: number): Promise<boolean> {
    const [row] = await this.sql.query<{ present: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM document_projections WHERE space_id = $1 AND search_sketch IS NULL AND sketch IS NOT NULL) AS present',
      [assertSafeId(spaceId, 'projection space id')],
    );
    return row?.present === true;
  }

  /**
   * Top-k documents of a space by inner product with `query`. On the sketch column the
   * ordering `(sketch::halfvec(D)) <#> q` matches the space's HNSW index (approximate); on the
   * full column it is an exact scan. pgvector's `<#>` is the negated inner product. With
   * `normalized`, the ordering is `(l2_normalize(sketch)::halfvec(D)) <#> q`, served by the
   * space's normalised index: `score` is then ⟨q, x/‖x‖⟩ and `rawScore` ⟨q, x⟩. Every hit carries
   * the stored gradient norm ‖x_d‖ of the full projection.
   */
  async searchInnerProduct(search: InnerProductSearch): Promise<SearchHit[]> {
    const { dims, literal } = searchParameters(search, 'k');
    const statement = searchStatement(search.column, dims, search.normalized ?? false, search.ascending ?? false);
    return this.sql.transaction(async (tx) => {
      await applySearchSettings(tx, search);
      const rows = await tx.query<{ document_id: number; score: number; raw_score: number; gradient_norm: number }>(statement, [search.spaceId, literal, search.k]);
      const hits = rows.map((r) => ({ documentId: Number(r.document_id), score: Number(r.score), rawScore: Number(r.raw_score), gradientNorm: Number(r.gradient_norm) }));
      // relaxed_order may return rows slightly out of order: restore the exact order of the hits.
      hits.sort((a, b) => (search.ascending ? a.score - b.score : b.score - a.score));
      return hits;
    });
  }

  /**
   * Two-stage retrieval in one statement: the `search.k` candidates of {@link searchInnerProduct}
   * (HNSW on the sketch or whitened sketch), reranked exactly by ⟨y, x_d⟩ with their full
   * vectors, keeping the top `rerank.k` (the bottom with `rerank.ascending`; by ⟨y, x_d⟩ / ‖x_d‖
   * with `by = 'normalized'`, 0 for a zero norm; `score` stays ⟨y, x_d⟩). Candidates without a
   * full vector are dropped. `candidates`: how many rows the search stage found.
   */
  async searchReranked(search: InnerProductSearch, rerank: FullRerank): Promise<{ candidates: number; hits: RerankedHit[] }> {
    const { k } = search;
    const { dims, literal } = searchParameters(search, 'candidates');
    if (!Number.isInteger(rerank.k) || rerank.k < 1 || rerank.k > k) {
      throw new InvalidInputError(`reranked rows must be an integer from 1 to the ${k} candidates, got ${rerank.k}`);
    }
    const fullDims = assertDims(rerank.query.length, 'vector', 'full query dimension');
    const statement = rerankedSearchStatement({ column: search.column, dims, normalized: search.normalized ?? false, ascending: search.ascending ?? false }, fullDims, rerank);
    const params = [search.spaceId, literal, k, toVectorLiteral(rerank.query, 'vector', 'full query vector'), rerank.k];
    const rows = await this.sql.transaction(async (tx) => {
      await applySearchSettings(tx, search);
      return tx.query<{ document_id: number; score: number; gradient_norm: number; candidates: number }>(statement, params);
    });
    return {
      candidates: rows.length > 0 ? Number(rows[0]!.candidates) : 0,
      hits: rows.map((r) => ({ documentId: Number(r.document_id), score: Number(r.score), gradientNorm: Number(r.gradient_norm) })),
    };
  }

  /**
   * ⟨y, x_d⟩ with the full vector of every document of a space (one scan), with each
   * document's source: what the whole-corpus analyses (correlations, distributions,
   * over-representation) work on. Ordered by document id.
   */
  async scoreAll(spaceId: number, query: Float32Array, timeoutMs = 120_000): Promise<{ documentIds: Int32Array; scores: Float64Array; sources: string[]; norms: Float64Array }> {
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

  /**
   * The plan Postgres chooses for a sketch search (diagnostics). With `asOnLargeTable`, scans
   * and sorts are priced out as they are on a table of millions of rows, so a small test table
   * shows whether the HNSW index can serve the query at all. It explains the very statement
   * {@link searchInnerProduct} runs; `normalized`: the search by ⟨q, x/‖x‖⟩; with
   * `rerankedFullDims`, the statement of {@link searchReranked} (full vectors of that dimension)
   * around the same search.
   */
  async explainSketchSearch(spaceId: number, query: Float32Array, k: number, asOnLargeTable = false, normalized = false, rerankedFullDims?: number): Promise<string> {
    const dims = assertDims(query.length, 'halfvec', 'sketch query dimension');
    const params: unknown[] = [assertSafeId(spaceId, 'projection space id'), toVectorLiteral(query, 'halfvec', 'query'), k];
    let statement = searchStatement('sketch', dims, normalized, false);
    if (rerankedFullDims !== undefined) {
      const fullDims = assertDims(rerankedFullDims, 'vector', 'full dimension');
      statement = rerankedSearchStatement({ column: 'sketch', dims, normalized, ascending: false }, fullDims, { ascending: false, by: normalized ? 'normalized' : 'score' });
      params.push(toVectorLiteral(new Float32Array(fullDims), 'vector', 'full query'), k);
    }
    const rows = await this.sql.transaction(async (tx: SqlClient) => {
      if (asOnLargeTable) {
        for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']) {
          await tx.query(`SELECT set_config($1, 'off', true)`, [setting]);
        }
      }
      return tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement}`, params);
    });
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
}
