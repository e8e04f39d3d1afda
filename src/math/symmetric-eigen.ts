import { InvalidInputError } from '../errors/tracebase.error';
import { assertFinite } from './finite.guard';
import { Matrix, matmul, matmulABt, matrix } from './dense-matrix';
import { NotConvergedError, ShapeMismatchError, TensorLabel } from './math.error';

/** Result of {@link symmetricEigen}: `A = Q diag(values) Qᵀ`. */
export interface SymmetricEigen {
  /** Eigenvalues, length n, sorted in descending order (largest first). */
  readonly values: Float64Array;
  /**
   * Q, n×n row-major, orthonormal; column j (`Q[k, j] = data[k * n + j]`) is the unit eigenvector
   * of `values[j]`, signed so that its entry of largest magnitude is positive (deterministic
   * eigenbasis projections). This is the Q_A / Q_S of docs/design.md "Mathematics".
   */
  readonly vectors: Matrix;
}

export interface SymmetricEigenOptions {
  /**
   * Largest accepted relative asymmetry max|A − Aᵀ| / max|A| (default 1e-4: covariance sums
   * accumulated in float32 by a GEMM are not exactly symmetric, while a transposition bug gives
   * O(1)). The solver works on (A + Aᵀ)/2.
   */
  readonly symmetryTolerance?: number;
  /** Names the matrix in errors (NaN/Inf, asymmetry). */
  readonly label?: TensorLabel;
}

/**
 * Eigendecomposition of a real symmetric matrix in float64: `A = Q diag(λ) Qᵀ`, the
 * `A = Q_A diag(λ_A) Q_Aᵀ`, `S = Q_S diag(λ_S) Q_Sᵀ` of docs/design.md "Mathematics".
 *
 * Algorithm: Householder reduction to tridiagonal form with accumulation of the transformations
 * (EISPACK `tred2`), then the implicit-shift QL iteration (EISPACK `tql2`), following the
 * public-domain JAMA formulation. The reduction works on the transposed matrix so that every
 * inner loop walks contiguous memory (dot products with four partial sums); Q is accumulated
 * from the Householder vectors in compact-WY blocks of 32 (matrix products); the QL rotations
 * are recorded and applied in cache-friendly batches. Cost ≈ 9n³ flops and 24n² bytes (+ ≤ 32 MB of
 * recorded rotations); measured ≈ 0.6 s at n = 512, 4–5 s at n = 1024 (single thread). Backward
 * stable, so for a PSD
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
  const tol = options.symmetryTolerance ?? 1e-4;
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
  // QL rotates columns of V = Wᵀ; in this layout each row of V is contiguous and independent.
  const V = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) V[c * n + r] = W[r * n + c]!;
  tql2(n, V, d, e);

  // Sort descending; column j of Q is column order[j] of V.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]! || i - j);
  const values = new Float64Array(n);
  const vectors = matrix(n, n);
  const Q = vectors.data;
  for (let j = 0; j < n; j++) {
    values[j] = d[order[j]!]!;
  }
  for (let k = 0; k < n; k++) {
    const row = k * n;
    for (let j = 0; j < n; j++) Q[row + j] = V[row + order[j]!]!;
  }
  // Canonical signs: the entry of largest magnitude (first on ties) of each column is positive.
  const best = new Float64Array(n);
  const flip = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const row = k * n;
    for (let j = 0; j < n; j++) {
      const v = Q[row + j]!;
      if (Math.abs(v) > best[j]!) {
        best[j] = Math.abs(v);
        flip[j] = v < 0 ? 1 : 0;
      }
    }
  }
  for (let k = 0; k < n; k++) {
    const row = k * n;
    for (let j = 0; j < n; j++) if (flip[j]) Q[row + j] = -Q[row + j]!;
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
        // Symmetric matrix-vector product; four partial sums break the dependency chain.
        let g0 = e[j]! + W[row + j]! * f;
        let g1 = 0;
        let g2 = 0;
        let g3 = 0;
        let k = j + 1;
        for (; k + 3 <= i - 1; k += 4) {
          const w0 = W[row + k]!;
          const w1 = W[row + k + 1]!;
          const w2 = W[row + k + 2]!;
          const w3 = W[row + k + 3]!;
          g0 += w0 * d[k]!;
          g1 += w1 * d[k + 1]!;
          g2 += w2 * d[k + 2]!;
          g3 += w3 * d[k + 3]!;
          e[k]! += w0 * f;
          e[k + 1]! += w1 * f;
          e[k + 2]! += w2 * f;
          e[k + 3]! += w3 * f;
        }
        for (; k <= i - 1; k++) {
          const w = W[row + k]!;
          g0 += w * d[k]!;
          e[k]! += w * f;
        }
        e[j] = g0 + g1 + (g2 + g3);
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
  accumulateBlocked(n, W, d);
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1]!;
    W[j * n + n - 1] = 0;
  }
  W[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Reflectors applied together in the accumulation of Q (compact WY blocks). */
const ACCUMULATION_BLOCK = 32;

/**
 * Forms Q from the Householder vectors left in W by the reduction (JAMA tred2's "accumulate
 * transformations", blocked). Step i of the textbook loop multiplies the leading (i+1)×(i+1)
 * block B (rows j ≤ i, W layout) on the right by P = I − u uᵀ/h, u = W[i+1, 0..i], h = d[i+1],
 * after bordering B with a unit row and column. b consecutive steps are the same as bordering
 * with I_b once and multiplying by P_1⋯P_b = I − V T Vᵀ (LAPACK dlarft, forward), so each block
 * costs two matrix products (B V, then (B V T) Vᵀ) on the fast kernel instead of 2b passes
 * over B.
 */
function accumulateBlocked(n: number, W: Float64Array, d: Float64Array): void {
  const steps = n - 1; // i = 0 … n−2
  for (let i0 = 0; i0 < steps; i0 += ACCUMULATION_BLOCK) {
    const b = Math.min(ACCUMULATION_BLOCK, steps - i0);
    const N = i0 + b; // block size after bordering: rows/cols 0 … N−1
    // Vt (b×N): row t = u of step i0+t (length i0+t+1, zero beyond); tau_t = 1/h.
    const Vt = matrix(b, N);
    const tau = new Float64Array(b);
    for (let t = 0; t < b; t++) {
      const i = i0 + t;
      const rowI = i * n;
      W[rowI + n - 1] = W[rowI + i]!; // keep the diagonal of the tridiagonal (read back later)
      const h = d[i + 1]!;
      tau[t] = h !== 0 ? 1 / h : 0;
      const rowU = (i + 1) * n;
      for (let k = 0; k <= i; k++) {
        Vt.data[t * N + k] = W[rowU + k]!;
        W[rowU + k] = 0;
      }
    }
    for (let t = 0; t < b; t++) W[(i0 + t) * n + i0 + t] = 1;
    // T (b×b, upper triangular): T[t,t] = τ_t; T[0:t, t] = −τ_t T[0:t, 0:t] (V[:, 0:t]ᵀ v_t).
    const T = new Float64Array(b * b);
    const w = new Float64Array(b);
    for (let t = 0; t < b; t++) {
      T[t * b + t] = tau[t]!;
      if (tau[t] === 0) continue;
      for (let r = 0; r < t; r++) {
        let s = 0;
        for (let k = 0; k < N; k++) s += Vt.data[r * N + k]! * Vt.data[t * N + k]!;
        w[r] = s;
      }
      for (let r = 0; r < t; r++) {
        let s = 0;
        for (let c = r; c < t; c++) s += T[r * b + c]! * w[c]!;
        T[r * b + t] = -tau[t]! * s;
      }
    }
    // B (N×N, contiguous copy of W's leading block) ← B − ((B V) T) Vᵀ.
    const B = matrix(N, N);
    for (let j = 0; j < N; j++) B.data.set(W.subarray(j * n, j * n + N), j * N);
    const BV = matmulABt(B, Vt); // N×b
    const BVT = matrix(N, b);
    for (let j = 0; j < N; j++)
      for (let c = 0; c < b; c++) {
        let s = 0;
        for (let r = 0; r <= c; r++) s += BV.data[j * b + r]! * T[r * b + c]!;
        BVT.data[j * b + c] = s;
      }
    const update = matmul(BVT, Vt); // N×N
    for (let j = 0; j < N; j++) {
      const row = j * n;
      const src = j * N;
      for (let k = 0; k < N; k++) W[row + k] = B.data[src + k]! - update.data[src + k]!;
    }
  }
}

/** At most this many rotations (and 64·n) are recorded before they are applied (≤ 32 MB). */
const ROTATION_BATCH = 1 << 21;

/**
 * Implicit-shift QL on the tridiagonal (d, e) (JAMA tql2). The Givens rotations do not depend on
 * V, so they are recorded (cosine, sine, chain bounds) and applied in batches, one row of V at a
 * time (four rows interleaved): the rows stay in cache through thousands of rotations, with the
 * running entry of each chain kept in a register. Every entry sees exactly the same operations in the
 * same order as the textbook loop, so the result is bitwise identical to it, only faster for
 * matrices that do not fit in cache.
 */
function tql2(n: number, V: Float64Array, d: Float64Array, e: Float64Array): void {
  const cs = new Float64Array(Math.min(ROTATION_BATCH, 64 * n) + n);
  const sn = new Float64Array(cs.length);
  const chains: number[] = []; // pairs (l, m) per QL step
  let recorded = 0;
  const flush = () => {
    if (chains.length === 0) return;
    // Four rows at a time: four independent carried chains hide the multiply-add latency.
    const n4 = n - (n % 4);
    for (let k = 0; k < n4; k += 4) {
      const r0 = k * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let ptr = 0;
      for (let q = 0; q < chains.length; q += 2) {
        const l = chains[q]!;
        const m = chains[q + 1]!;
        let x0 = V[r0 + m]!;
        let x1 = V[r1 + m]!;
        let x2 = V[r2 + m]!;
        let x3 = V[r3 + m]!;
        for (let i = m - 1; i >= l; i--) {
          const c = cs[ptr]!;
          const s = sn[ptr]!;
          ptr++;
          const v0 = V[r0 + i]!;
          const v1 = V[r1 + i]!;
          const v2 = V[r2 + i]!;
          const v3 = V[r3 + i]!;
          V[r0 + i + 1] = s * v0 + c * x0;
          V[r1 + i + 1] = s * v1 + c * x1;
          V[r2 + i + 1] = s * v2 + c * x2;
          V[r3 + i + 1] = s * v3 + c * x3;
          x0 = c * v0 - s * x0;
          x1 = c * v1 - s * x1;
          x2 = c * v2 - s * x2;
          x3 = c * v3 - s * x3;
        }
        V[r0 + l] = x0;
        V[r1 + l] = x1;
        V[r2 + l] = x2;
        V[r3 + l] = x3;
      }
    }
    for (let k = n4; k < n; k++) {
      const row = k * n;
      let ptr = 0;
      for (let q = 0; q < chains.length; q += 2) {
        const l = chains[q]!;
        const m = chains[q + 1]!;
        let x = V[row + m]!;
        for (let i = m - 1; i >= l; i--) {
          const vi = V[row + i]!;
          const c = cs[ptr]!;
          const s = sn[ptr]!;
          ptr++;
          V[row + i + 1] = s * vi + c * x;
          x = c * vi - s * x;
        }
        V[row + l] = x;
      }
    }
    chains.length = 0;
    recorded = 0;
  };
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
        if (recorded + (m - l) > cs.length) flush();
        chains.push(l, m);
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
          cs[recorded] = c;
          sn[recorded] = s;
          recorded++;
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  flush();
}
