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

/**
 * The one compute kernel: C = A Bᵀ for row-major A (m×k) and B (n×k), written into C (m×n).
 * Register-blocked 4×4 dot products (16 accumulators, 8 loads per 16 multiply-adds), which
 * V8 runs at roughly 2–3 GFLOP/s, about 3× a plain triple loop.
 */
function gemmABt(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0; // prettier-ignore
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0; // prettier-ignore
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p]!;
        const x1 = A[a1 + p]!;
        const x2 = A[a2 + p]!;
        const x3 = A[a3 + p]!;
        const y0 = B[b0 + p]!;
        const y1 = B[b1 + p]!;
        const y2 = B[b2 + p]!;
        const y3 = B[b3 + p]!;
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3; // prettier-ignore
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3; // prettier-ignore
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3; // prettier-ignore
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3; // prettier-ignore
      }
      C[r0 + j] = c00;
      C[r0 + j + 1] = c01;
      C[r0 + j + 2] = c02;
      C[r0 + j + 3] = c03; // prettier-ignore
      C[r1 + j] = c10;
      C[r1 + j + 1] = c11;
      C[r1 + j + 2] = c12;
      C[r1 + j + 3] = c13; // prettier-ignore
      C[r2 + j] = c20;
      C[r2 + j + 1] = c21;
      C[r2 + j + 2] = c22;
      C[r2 + j + 3] = c23; // prettier-ignore
      C[r3 + j] = c30;
      C[r3 + j + 1] = c31;
      C[r3 + j + 2] = c32;
      C[r3 + j + 3] = c33; // prettier-ignore
    }
    for (let j = n4; j < n; j++) {
      const bj = j * k;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0; // prettier-ignore
      for (let p = 0; p < k; p++) {
        const y = B[bj + p]!;
        c0 += A[a0 + p]! * y;
        c1 += A[a1 + p]! * y;
        c2 += A[a2 + p]! * y;
        c3 += A[a3 + p]! * y;
      }
      C[r0 + j] = c0;
      C[r1 + j] = c1;
      C[r2 + j] = c2;
      C[r3 + j] = c3;
    }
  }
  for (let i = m4; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let c = 0;
      for (let p = 0; p < k; p++) c += A[ai + p]! * B[bj + p]!;
      C[i * n + j] = c;
    }
  }
}

/** C = A Bᵀ, A m×k, B n×k → m×n, without forming Bᵀ (the kernel's native layout). */
export function matmulABt(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new ShapeMismatchError('matmulABt', `A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  const out = matrix(a.rows, b.rows);
  gemmABt(a.data, b.data, out.data, a.rows, b.rows, a.cols);
  return out;
}

/** C = A B, A m×k, B k×n → m×n (computed as A (Bᵀ)ᵀ; the transpose costs O(k·n)). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new ShapeMismatchError('matmul', `A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  return matmulABt(a, transpose(b));
}

/** C = Aᵀ B, A k×m, B k×n → m×n (both transposed once, O(k·(m+n)) extra). */
export function matmulAtB(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new ShapeMismatchError('matmulAtB', `A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  return matmulABt(transpose(a), transpose(b));
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

/**
 * target += scale · x, in place (shapes must match); returns `target`. For running sums: covariance
 * sums over batches, a document's gradient as the sum over its context windows.
 */
export function addScaledInto(target: Matrix, x: Matrix, scale = 1): Matrix {
  assertShape('addScaledInto', 'x', x, target.rows, target.cols);
  const t = target.data;
  const y = x.data;
  for (let i = 0; i < t.length; i++) t[i]! += scale * y[i]!;
  return target;
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
