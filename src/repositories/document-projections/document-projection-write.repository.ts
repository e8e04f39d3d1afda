import { InvalidInputError } from '../../errors/tracebase.error';
import type { TransactionalSqlClient } from '../../db/database.types';
import { assertSafeId, parseVector, toVectorParameter, type VectorEncoding } from '../vector-sql';
import type { DocumentProjectionRecord } from '../../domain/document-projection.record';

const ROWS_PER_STATEMENT = 500;

/**
 * Writes of `document_projections`: multi-row upserts of a space's projections, and the reads of
 * stored rows by key (a document's stored vectors, a space's row count and whether it has any).
 * Vectors are bound as parameters cast to their pgvector types (text, or binary on Postgres).
 */
export class DocumentProjectionWriteRepository {
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
    const [row] = await this.sql.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM document_projections WHERE space_id = $1) AS present', [spaceId]);
    return row?.present === true;
  }

  /** Number of projections stored in a space. */
  async count(spaceId: number): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM document_projections WHERE space_id = $1', [spaceId]);
    return Number(row?.n ?? 0);
  }
}
