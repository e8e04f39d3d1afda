import { InvalidInputError } from '../../errors/tracebase.error';
import type { TransactionalSqlClient } from '../../db/database.types';
import { assertDims, assertSafeId, parseVector, toVectorLiteral } from '../vector-sql';
import { searchTarget } from './document-projection-sql';

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

/**
 * Index DDL of `document_projections` and the whitened search basis column: the HNSW index of a
 * space is a partial expression index `((sketch::halfvec(D)) halfvec_ip_ops) WHERE space_id = S`
 * (or on the whitened `search_sketch`), so each space has its own graph and dimension; a second
 * one on `(l2_normalize(sketch)::halfvec(D))` serves rankings by influence divided by the
 * document's gradient norm (docs/design.md "Mathematics: Norm dominance"). The whitened
 * sketches (`search_sketch`) are sampled, filled and checked here.
 */
export class DocumentProjectionIndexRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

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
}
