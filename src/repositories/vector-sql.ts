import { InvalidInputError } from '../errors/tracebase.error';

/** Most dimensions pgvector stores in a `vector` column. */
export const MAX_VECTOR_DIMS = 16_000;
/** Most dimensions of a `halfvec` that pgvector can HNSW-index. */
export const MAX_INDEXED_HALFVEC_DIMS = 4_000;
/** Largest magnitude a `halfvec` (IEEE half precision) element can hold. */
export const HALF_MAX = 65_504;

/** Which pgvector type a vector is written as. */
export type VectorType = 'vector' | 'halfvec';

/** How vectors travel as bound parameters: pgvector's text input, or its binary input (Postgres). */
export type VectorEncoding = 'text' | 'binary';

/**
 * Checks a vector before it becomes a parameter: not empty, at most the column type's
 * dimensions, finite elements, within the half-precision range for a `halfvec`. Throws
 * {@link InvalidInputError} naming `what` and the offending element.
 */
function assertVector(values: ArrayLike<number>, type: VectorType, what: string): void {
  const n = values.length;
  const max = type === 'vector' ? MAX_VECTOR_DIMS : MAX_INDEXED_HALFVEC_DIMS;
  if (n === 0) throw new InvalidInputError(`${what} is empty`);
  if (n > max) throw new InvalidInputError(`${what} has ${n} dimensions; a ${type} column holds at most ${max}`);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new InvalidInputError(`${what}[${i}] is ${v}: vectors must be finite`);
    if (type === 'halfvec' && Math.abs(v) > HALF_MAX) {
      throw new InvalidInputError(`${what}[${i}] = ${v} is outside the half-precision range ±${HALF_MAX}`);
    }
  }
}

/**
 * Formats a vector as pgvector's text input (`[1,2,3]`) for a bound parameter cast to
 * `::vector` or `::halfvec`. Each element is rounded to float32 (`Math.fround`, what the column
 * stores) and printed with 9 significant digits, which identify every float32 exactly (and −0
 * as `-0`): a `vector` round-trip is bit-exact, and a `halfvec` rounds the same float32 to half
 * precision in the database. (9 fixed digits cost about two thirds of the shortest double
 * representation `String(x)` and make a third shorter text.)
 * Throws {@link InvalidInputError} naming `what` for a non-finite element, an empty vector,
 * too many dimensions, or a value outside the half-precision range.
 */
export function toVectorLiteral(values: ArrayLike<number>, type: VectorType, what: string): string {
  assertVector(values, type, what);
  const n = values.length;
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = Math.fround(values[i]!);
    parts[i] = v === 0 ? (Object.is(v, -0) ? '-0' : '0') : v.toPrecision(9);
  }
  return `[${parts.join(',')}]`;
}

/**
 * Encodes a vector in pgvector's binary input format for `vector` (`vector_recv`): int16
 * dimensions, int16 0, then each element as a big-endian float32, so Postgres reads the exact
 * float32 values with no decimal text on either side. Bound as a Buffer, node-postgres sends it
 * in binary format; the statement must give the parameter the type `vector` (`$n::vector`; a
 * `halfvec` column takes `$n::vector::halfvec`, the same rounding as the text input). Elements
 * are rounded to float32. Same checks as {@link toVectorLiteral}, by the target `type`.
 */
export function toVectorBinary(values: ArrayLike<number>, type: VectorType, what: string): Buffer {
  assertVector(values, type, what);
  const n = values.length;
  const out = Buffer.allocUnsafe(4 + 4 * n);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setInt16(0, n);
  view.setInt16(2, 0);
  for (let i = 0; i < n; i++) view.setFloat32(4 + 4 * i, values[i]!);
  return out;
}

/** A vector as a bound parameter in the given encoding (text literal or binary Buffer). */
export function toVectorParameter(values: ArrayLike<number>, type: VectorType, what: string, encoding: VectorEncoding): string | Buffer {
  return encoding === 'binary' ? toVectorBinary(values, type, what) : toVectorLiteral(values, type, what);
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
