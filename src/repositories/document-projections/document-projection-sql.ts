import type { VectorType } from '../vector-sql';

/**
 * The SQL expressions on `document_projections` that the index DDL and the searches must share
 * character for character: Postgres uses an expression index only for a query whose ORDER BY
 * has the very same expression.
 */

/** Which stored vector a search orders by. */
export type SearchColumn = 'sketch' | 'search' | 'full';

/** The ordering expression of a search: the column cast to its dimension, unit-normalised on request. */
export function searchTarget(column: SearchColumn, dims: number, normalized: boolean): string {
  const type = columnType(column);
  const name = columnName(column);
  // must stay textually the index expressions of DocumentProjectionIndexRepository.ensureSketchIndex, or the planner cannot use them
  return normalized ? `(l2_normalize(${name})::${type}(${dims}))` : `(${name}::${type}(${dims}))`;
}

/** The pgvector type of a searched column: float32 `vector` for the full projection, `halfvec` for the sketches. */
export function columnType(column: SearchColumn): VectorType {
  return column === 'full' ? 'vector' : 'halfvec';
}

/** The column (quoted where needed) that a search orders by. */
export function columnName(column: SearchColumn): string {
  return column === 'full' ? '"full"' : column === 'search' ? 'search_sketch' : 'sketch';
}
