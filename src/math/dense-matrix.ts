import { InvalidInputError } from '../errors/tracebase.error';
import { ShapeMismatchError } from './math.error';

/**
 * A dense float64 matrix in row-major order: entry (r, c) is `data[r * cols + c]`.
 * The one matrix representation of `src/math`; a vector of length n is either a bare
 * `Float64Array` or a 1×n / n×1 matrix, as each function documents.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

function checkDim(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`${name} must be a non-negative integer, got ${n}`);
}

/**
 * Wraps (or allocates, zero-filled) a rows×cols row-major matrix. `data`, when given, must have
 * exactly rows·cols entries; it is not copied.
 */
export function matrix(rows: number, cols: number, data?: Float64Array | ArrayLike<number>): Matrix {
  checkDim('rows', rows);
  checkDim('cols', cols);
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  if (data.length !== rows * cols) {
    throw new ShapeMismatchError('matrix', `${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  return { rows, cols, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** Builds a matrix from nested rows (convenient in tests and small fixtures). */
export function fromRows(rows: ReadonlyArray<ArrayLike<number>>): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0]!.length;
  const out = matrix(r, c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new ShapeMismatchError('fromRows', `row ${i} has ${row.length} values, expected ${c}`);
    for (let j = 0; j < c; j++) out.data[i * c + j] = row[j]!;
  });
  return out;
}

/** The n×n identity. */
export function identity(n: number): Matrix {
  const out = matrix(n, n);
  for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
  return out;
}

/** A deep copy. */
export function cloneMatrix(a: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/** Throws {@link ShapeMismatchError} unless `a` is rows×cols. */
export function assertShape(operation: string, name: string, a: Matrix, rows: number, cols: number): void {
  if (a.rows !== rows || a.cols !== cols) {
    throw new ShapeMismatchError(operation, `${name} is ${a.rows}×${a.cols}, expected ${rows}×${cols}`);
  }
}

/** Aᵀ (cols×rows). */
export function transpose(a: Matrix): Matrix {
  const { rows, cols } = a;
  const out = matrix(cols, rows);
  const x = a.data;
  const y = out.data;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) y[j * rows + i] = x[o + j]!;
  }
  return out;
}

/** C = A B, A m×k, B k×n → m×n. Loop order i-k-j (contiguous rows of B and C). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new ShapeMismatchError('matmul', `A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const out = matrix(m, n);
  const A = a.data;
  const B = b.data;
  const C = out.data;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const s = A[ai + p]!;
      if (s === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j]! += s * B[bp + j]!;
    }
  }
  return out;
}

/** C = Aᵀ B, A k×m, B k×n → m×n, without forming Aᵀ. */
export function matmulAtB(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new ShapeMismatchError('matmulAtB', `A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  const k = a.rows;
  const m = a.cols;
  const n = b.cols;
  const out = matrix(m, n);
  const A = a.data;
  const B = b.data;
  const C = out.data;
  for (let p = 0; p < k; p++) {
    const ap = p * m;
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const s = A[ap + i]!;
      if (s === 0) continue;
      const ci = i * n;
      for (let j = 0; j < n; j++) C[ci + j]! += s * B[bp + j]!;
    }
  }
  return out;
}

/** C = A Bᵀ, A m×k, B n×k → m×n, without forming Bᵀ (row-by-row dot products). */
export function matmulABt(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new ShapeMismatchError('matmulABt', `A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  const m = a.rows;
  const k = a.cols;
  const n = b.rows;
  const out = matrix(m, n);
  const A = a.data;
  const B = b.data;
  const C = out.data;
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[ai + p]! * B[bj + p]!;
      C[i * n + j] = s;
    }
  }
  return out;
}

/** A · diag(d) · Bᵀ, A m×r, d length r, B n×r → m×n (e.g. U diag(σ) Vᵀ). */
export function matmulDiagBt(a: Matrix, d: Float64Array, b: Matrix): Matrix {
  if (a.cols !== d.length || b.cols !== d.length) {
    throw new ShapeMismatchError('matmulDiagBt', `A is ${a.rows}×${a.cols}, d has ${d.length}, B is ${b.rows}×${b.cols}`);
  }
  const scaled = matrix(a.rows, a.cols, a.data.slice());
  const r = d.length;
  for (let i = 0; i < a.rows; i++) for (let p = 0; p < r; p++) scaled.data[i * r + p]! *= d[p]!;
  return matmulABt(scaled, b);
}

/** Frobenius inner product ⟨A, B⟩ = Σ_jk A[j,k] B[j,k] (shapes must match). */
export function frobeniusInner(a: Matrix, b: Matrix): number {
  assertShape('frobeniusInner', 'B', b, a.rows, a.cols);
  return dot(a.data, b.data);
}

/** Σ_i x_i y_i over equal-length vectors. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new ShapeMismatchError('dot', `lengths ${x.length} and ${y.length}`);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** ‖A‖_F. */
export function frobeniusNorm(a: Matrix): number {
  return Math.sqrt(dot(a.data, a.data));
}

/** max_jk |A[j,k] − B[j,k]| (shapes must match). */
export function maxAbsDiff(a: Matrix, b: Matrix): number {
  assertShape('maxAbsDiff', 'B', b, a.rows, a.cols);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

/** Arithmetic mean of all entries (0 for an empty array). */
export function mean(x: ArrayLike<number>): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}
