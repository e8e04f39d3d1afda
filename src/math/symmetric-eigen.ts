import { InvalidInputError } from '../errors/tracebase.error';
import { assertFinite } from './finite.guard';
import { Matrix, matrix } from './dense-matrix';
import { NotConvergedError, ShapeMismatchError, TensorLabel } from './math.error';

/** Result of {@link symmetricEigen}: `A = Q diag(values) Qᵀ`. */
export interface SymmetricEigen {
  /** Eigenvalues, length n, sorted in descending order (largest first). */
  readonly values: Float64Array;
  /**
   * Q, n×n row-major, orthonormal; column j (`Q[k, j] = data[k * n + j]`) is the unit eigenvector
   * of `values[j]`. This is the Q_A / Q_S of DESIGN.md §3.
   */
  readonly vectors: Matrix;
}

export interface SymmetricEigenOptions {
  /**
   * Largest accepted relative asymmetry max|A − Aᵀ| / max|A| (default 1e-6, enough for
   * covariances summed in float32). The solver works on (A + Aᵀ)/2.
   */
  readonly symmetryTolerance?: number;
  /** Names the matrix in errors (NaN/Inf, asymmetry). */
  readonly label?: TensorLabel;
}

/**
 * Eigendecomposition of a real symmetric matrix in float64: `A = Q diag(λ) Qᵀ`, the
 * `A = Q_A diag(λ_A) Q_Aᵀ`, `S = Q_S diag(λ_S) Q_Sᵀ` of DESIGN.md §3.
 *
 * Algorithm: Householder reduction to tridiagonal form with accumulation of the transformations
 * (EISPACK `tred2`), then the implicit-shift QL iteration (EISPACK `tql2`), following the
 * public-domain JAMA formulation. The working matrix is held transposed so that every inner
 * loop walks contiguous memory. Cost ≈ 9n³ flops and 16n² bytes; backward stable, so for a PSD
 * covariance the computed eigenvalues may come out as tiny negatives (≈ −1e-16·λ_max), which
 * callers must tolerate (damping makes them harmless).
 *
 * @param a n×n symmetric matrix (row-major). Not modified.
 * @returns eigenvalues descending, eigenvectors as the columns of `vectors`.
 * @throws ShapeMismatchError when `a` is not square; InvalidInputError when it is not symmetric;
 *   NonFiniteValueError on NaN/Inf; NotConvergedError after 30·n QL iterations (never seen in
 *   practice).
 */
export function symmetricEigen(a: Matrix, options: SymmetricEigenOptions = {}): SymmetricEigen {
  const label = options.label ?? { tensor: 'symmetric matrix' };
  if (a.rows !== a.cols) throw new ShapeMismatchError('symmetricEigen', `matrix is ${a.rows}×${a.cols}, not square`);
  assertFinite(a.data, label);
  const n = a.rows;
  const tol = options.symmetryTolerance ?? 1e-6;
  if (n === 0) return { values: new Float64Array(0), vectors: matrix(0, 0) };

  // W holds Vᵀ of the JAMA formulation (V[r][c] ↔ W[c * n + r]); start from (A + Aᵀ)/2.
  const W = new Float64Array(n * n);
  let maxAbs = 0;
  let maxAsym = 0;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const x = a.data[r * n + c]!;
      const y = a.data[c * n + r]!;
      maxAbs = Math.max(maxAbs, Math.abs(x));
      maxAsym = Math.max(maxAsym, Math.abs(x - y));
      W[r * n + c] = 0.5 * (x + y);
    }
  }
  if (maxAsym > tol * maxAbs) {
    throw new InvalidInputError(
      `${label.layer === undefined ? '' : `layer ${label.layer}, `}${label.tensor}: matrix is not symmetric (max |A − Aᵀ| = ${maxAsym}, max |A| = ${maxAbs})`,
      { layer: label.layer, tensor: label.tensor },
    );
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(n, W, d, e);
  tql2(n, W, d, e);

  // Sort descending; column j of Q is row order[j] of W.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]! || i - j);
  const values = new Float64Array(n);
  const vectors = matrix(n, n);
  const Q = vectors.data;
  for (let j = 0; j < n; j++) {
    const src = order[j]!;
    values[j] = d[src]!;
    const row = src * n;
    for (let k = 0; k < n; k++) Q[k * n + j] = W[row + k]!;
  }
  return { values, vectors };
}

/** Householder tridiagonalisation (JAMA tred2) on W = Vᵀ. On exit d = diagonal, e = sub-diagonal (e[0] = 0). */
function tred2(n: number, W: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + i - 1]!;
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j]!;
        W[i * n + j] = f;
        g = e[j]! + W[row + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const w = W[row + k]!;
          g += w * d[k]!;
          e[k]! += w * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) W[row + k]! -= f * e[k]! + g * d[k]!;
        d[j] = W[row + i - 1]!;
        W[row + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate transformations.
  for (let i = 0; i < n - 1; i++) {
    const rowI = i * n;
    const rowI1 = (i + 1) * n;
    W[rowI + n - 1] = W[rowI + i]!;
    W[rowI + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[rowI1 + k]! / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[rowI1 + k]! * W[row + k]!;
        for (let k = 0; k <= i; k++) W[row + k]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) W[rowI1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1]!;
    W[j * n + n - 1] = 0;
  }
  W[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit-shift QL on the tridiagonal (d, e), rotating the rows of W = Vᵀ (JAMA tql2). */
function tql2(n: number, W: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  const maxIterations = 30 * n;
  let iterations = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      do {
        if (++iterations > maxIterations) {
          throw new NotConvergedError('symmetricEigen (QL iteration)', `${maxIterations} iterations at index ${l} of ${n}`);
        }
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const ri = i * n;
          const ri1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const wh = W[ri1 + k]!;
            const wi = W[ri + k]!;
            W[ri1 + k] = s * wi + c * wh;
            W[ri + k] = c * wi - s * wh;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
