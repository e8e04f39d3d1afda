import { InvalidInputError } from '../../errors/tracebase.error';
import type { SqlClient, TransactionalSqlClient } from '../../db/database.types';
import { assertDims, assertSafeId, toVectorLiteral } from '../vector-sql';
import { columnName, columnType, searchTarget, type SearchColumn } from './document-projection-sql';

export type { SearchColumn } from './document-projection-sql';

/** One hit of an inner-product search: score = ⟨y_q, x_d⟩ (or ⟨y_q, x_d⟩ / ‖x_d‖ normalised). */
export interface InnerProductHit {
  readonly documentId: number;
  readonly score: number;
}

/** A hit of {@link DocumentProjectionSearchRepository.searchInnerProduct}, with what a ranking reports. */
export interface SearchHit extends InnerProductHit {
  /** ⟨q, x⟩ of the searched column (equals `score` unless the search is normalised). */
  readonly rawScore: number;
  /** Stored ‖x_d‖₂ of the document's full projection. */
  readonly gradientNorm: number;
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
   * (`DocumentProjectionIndexRepository`'s `normalizedSketchIndexName`).
   */
  readonly normalized?: boolean;
}

/** The exact stage of {@link DocumentProjectionSearchRepository.searchReranked}. */
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

/** Most rows a search may return. */
export const MAX_SEARCH_K = 10_000;

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
function rerankedSearchStatement(
  search: { column: SearchColumn; dims: number; normalized: boolean; ascending: boolean },
  fullDims: number,
  rerank: { ascending: boolean; by: 'score' | 'normalized' },
): string {
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
 * Searches of `document_projections`: top-k by inner product (HNSW on the sketches or the
 * whitened sketches, or an exact scan of the full vectors), the two-stage reranked statement, and
 * the plans of both. Every search sets its HNSW settings in its own transaction. The orderings
 * match the index expressions of {@link DocumentProjectionIndexRepository}.
 */
export class DocumentProjectionSearchRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

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
      const rows = await tx.query<{ document_id: number; score: number; raw_score: number; gradient_norm: number }>(statement, [
        search.spaceId,
        literal,
        search.k,
      ]);
      const hits = rows.map((r) => ({
        documentId: Number(r.document_id),
        score: Number(r.score),
        rawScore: Number(r.raw_score),
        gradientNorm: Number(r.gradient_norm),
      }));
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
    const statement = rerankedSearchStatement(
      { column: search.column, dims, normalized: search.normalized ?? false, ascending: search.ascending ?? false },
      fullDims,
      rerank,
    );
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
   * The plan Postgres chooses for a sketch search (diagnostics). With `asOnLargeTable`, scans
   * and sorts are priced out as they are on a table of millions of rows, so a small test table
   * shows whether the HNSW index can serve the query at all. It explains the very statement
   * {@link searchInnerProduct} runs; `normalized`: the search by ⟨q, x/‖x‖⟩; with
   * `rerankedFullDims`, the statement of {@link searchReranked} (full vectors of that dimension)
   * around the same search.
   */
  async explainSketchSearch(
    spaceId: number,
    query: Float32Array,
    k: number,
    asOnLargeTable = false,
    normalized = false,
    rerankedFullDims?: number,
  ): Promise<string> {
    const dims = assertDims(query.length, 'halfvec', 'sketch query dimension');
    const params: unknown[] = [assertSafeId(spaceId, 'projection space id'), toVectorLiteral(query, 'halfvec', 'query'), k];
    let statement = searchStatement('sketch', dims, normalized, false);
    if (rerankedFullDims !== undefined) {
      const fullDims = assertDims(rerankedFullDims, 'vector', 'full dimension');
      statement = rerankedSearchStatement({ column: 'sketch', dims, normalized, ascending: false }, fullDims, {
        ascending: false,
        by: normalized ? 'normalized' : 'score',
      });
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
