import { InvalidInputError } from '../errors/tracebase.error';

/** Most dimensions pgvector stores in a `vector` column. */
export const MAX_VECTOR_DIMS = 16_000;
/** Most dimensions of a `halfvec` that pgvector can HNSW-index. */
export const MAX_INDEXED_HALFVEC_DIMS = 4_000;
/** Largest magnitude a `halfvec` (IEEE half precision) element can hold. */
export const HALF_MAX = 65_504;

/** Which pgvector type a vector is written as. */
export type VectorType = 'vector' | 'halfvec';

/**
 * Formats a vector as pgvector's text input (`[1,2,3]`) for a bound parameter cast to
 * `::vector` or `::halfvec`. Float32 values print exactly (shortest round-trip decimal), so a
 * `vector` round-trip is lossless; `halfvec` rounds to half precision in the database.
 * Throws {@link InvalidInputError} naming `what` for a non-finite element, an empty vector,
 * too many dimensions, or a value outside the half-precision range.
 */
export function toVectorLiteral(values: ArrayLike<number>, type: VectorType, what: string): string {
  const n = values.length;
  const max = type === 'vector' ? MAX_VECTOR_DIMS : MAX_INDEXED_HALFVEC_DIMS;
  if (n === 0) throw new InvalidInputError(`${what} is empty`);
  if (n > max) throw new InvalidInputError(`${what} has ${n} dimensions; a ${type} column holds at most ${max}`);
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new InvalidInputError(`${what}[${i}] is ${v}: vectors must be finite`);
    if (type === 'halfvec' && Math.abs(v) > HALF_MAX) {
      throw new InvalidInputError(`${what}[${i}] = ${v} is outside the half-precision range ±${HALF_MAX}`);
    }
    parts[i] = String(v);
  }
  return `[${parts.join(',')}]`;
}

/**
 * Parses a vector as Postgres returns it (text `[1,2,3]`, or an array where a driver already
 * parsed it) into a Float32Array. Returns null for SQL NULL.
 */
export function parseVector(value: unknown): Float32Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const body = value.trim().replace(/^\[/, '').replace(/\]$/, '');
    if (body === '') return new Float32Array(0);
    const parts = body.split(',');
    const out = new Float32Array(parts.length);
    for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
    return out;
  }
  if (Array.isArray(value)) return Float32Array.from(value as number[]);
  if (value instanceof Float32Array) return value;
  throw new TypeError(`cannot read a vector from ${typeof value}`);
}

/**
 * Checks that an id is a positive 32-bit integer. Used before the few statements that cannot
 * take bound parameters (index DDL), so that only validated integers reach SQL text.
 */
export function assertSafeId(id: number, what: string): number {
  if (!Number.isInteger(id) || id <= 0 || id > 2_147_483_647) {
    throw new InvalidInputError(`${what} must be a positive integer id, got ${id}`);
  }
  return id;
}

/** Checks a dimension count for a column type before it reaches DDL or a cast. */
export function assertDims(dims: number, type: VectorType, what: string): number {
  const max = type === 'vector' ? MAX_VECTOR_DIMS : MAX_INDEXED_HALFVEC_DIMS;
  if (!Number.isInteger(dims) || dims < 1 || dims > max) {
    throw new InvalidInputError(`${what} must be an integer from 1 to ${max} for a ${type}, got ${dims}`);
  }
  return dims;
}
