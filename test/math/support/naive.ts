// Naive, independent reference implementations for the math tests: nested number[][] arrays,
// triple loops, no code shared with src/math. Kept deliberately simple and slow.
import { Matrix, matrix } from '../../../src/math/dense-matrix';

export type Dense = number[][];

/** mulberry32: a tiny seeded PRNG for test fixtures (independent of src/math's generator). */
export { mulberry32 as testRandom } from '../../support/seeded-random';

/** Standard normal samples from `rand` (Marsaglia polar method, unlike src's Box–Muller). */
export function testNormal(rand: () => number): () => number {
  return () => {
    for (;;) {
      const u = 2 * rand() - 1;
      const v = 2 * rand() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
    }
  };
}

export function randomDense(rows: number, cols: number, rand: () => number): Dense {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * rand() - 1));
}

export function toMatrix(a: Dense): Matrix {
  const rows = a.length;
  const cols = rows === 0 ? 0 : a[0]!.length;
  return matrix(rows, cols, a.flat());
}

export function toDense(m: Matrix): Dense {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

export function nMul(a: Dense, b: Dense): Dense {
  const m = a.length;
  const k = b.length;
  const n = b[0]!.length;
  const out: Dense = [];
  for (let i = 0; i < m; i++) {
    out.push([]);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i]![p]! * b[p]![j]!;
      out[i]!.push(s);
    }
  }
  return out;
}

export function nT(a: Dense): Dense {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

export function nAdd(a: Dense, b: Dense, sb = 1): Dense {
  return a.map((row, i) => row.map((x, j) => x + sb * b[i]![j]!));
}

export function nScale(a: Dense, s: number): Dense {
  return a.map((row) => row.map((x) => x * s));
}

export function nEye(n: number): Dense {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/** Kronecker product A ⊗ B: (A⊗B)[i·p + k, j·q + l] = A[i,j] B[k,l]. */
export function nKron(a: Dense, b: Dense): Dense {
  const p = b.length;
  const q = b[0]!.length;
  const out: Dense = Array.from({ length: a.length * p }, () => new Array<number>(a[0]!.length * q).fill(0));
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < a[0]!.length; j++) for (let k = 0; k < p; k++) for (let l = 0; l < q; l++) out[i * p + k]![j * q + l] = a[i]![j]! * b[k]![l]!;
  return out;
}

/** Row-major vec: vec(X)[j·cols + k] = X[j,k]. With this convention vec(δ aᵀ) = δ ⊗ a. */
export function nVec(a: Dense): number[] {
  return a.flat();
}

export function nUnvec(v: number[], rows: number, cols: number): Dense {
  return Array.from({ length: rows }, (_, i) => v.slice(i * cols, (i + 1) * cols));
}

/** Solves X y = b by Gaussian elimination with partial pivoting. */
export function nSolve(x: Dense, b: number[]): number[] {
  const n = x.length;
  const a = x.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * y[k]!;
    y[r] = s / a[r]![r]!;
  }
  return y;
}

export function nMaxAbsDiff(a: Dense, b: Dense): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((x, j) => (m = Math.max(m, Math.abs(x - b[i]![j]!)))));
  return m;
}

export function nMaxAbs(a: Dense): number {
  let m = 0;
  a.forEach((row) => row.forEach((x) => (m = Math.max(m, Math.abs(x)))));
  return m;
}

/** Random symmetric PSD matrix Xᵀ X / m from an m×n random X. */
export function randomPsd(n: number, m: number, rand: () => number): Dense {
  const x = randomDense(m, n, rand);
  return nScale(nMul(nT(x), x), 1 / m);
}

/** Eigenvalues of a symmetric matrix by the cyclic Jacobi method (independent reference), descending. */
export function nJacobiEigenvalues(a0: Dense): number[] {
  const a = a0.map((r) => [...r]);
  const n = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (a[p]![q] === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
  }
  return a.map((r, i) => r[i]!).sort((x, y) => y - x);
}
