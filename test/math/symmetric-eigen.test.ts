import { fromRows, matrix } from '../../src/math/dense-matrix';
import { NonFiniteValueError, ShapeMismatchError } from '../../src/math/math.error';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { InvalidInputError } from '../../src/errors/tracebase.error';
import { Dense, nEye, nJacobiEigenvalues, nMaxAbs, nMaxAbsDiff, nMul, nT, randomDense, randomPsd, testRandom, toDense, toMatrix } from './support/naive';

function check(a: Dense, tol = 1e-12) {
  const n = a.length;
  const { values, vectors } = symmetricEigen(toMatrix(a));
  const q = toDense(vectors);
  const lam = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? values[i]! : 0)));
  const scale = Math.max(1, nMaxAbs(a));
  expect(nMaxAbsDiff(nMul(nMul(q, lam), nT(q)), a)).toBeLessThan(tol * scale * n);
  expect(nMaxAbsDiff(nMul(nT(q), q), nEye(n))).toBeLessThan(tol * n);
  for (let i = 1; i < n; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
  // Canonical sign: each column's largest-magnitude entry is positive.
  for (let j = 0; j < n; j++) {
    const col = q.map((row) => row[j]!);
    const big = col.reduce((b, v) => (Math.abs(v) > Math.abs(b) ? v : b), 0);
    expect(big).toBeGreaterThanOrEqual(0);
  }
  return { values, q };
}

describe('symmetricEigen', () => {
  it('finds the known eigenpairs of a 2×2 and a 3×3 matrix', () => {
    const { values, q } = check([
      [2, 1],
      [1, 2],
    ]);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(q[0]![0]!).toBeCloseTo(Math.SQRT1_2, 14); // (1,1)/√2 for λ = 3, sign canonical
    expect(q[1]![0]!).toBeCloseTo(Math.SQRT1_2, 14);
    // Tridiagonal [2 -1 0; -1 2 -1; 0 -1 2]: λ = 2 − √2·cos(kπ/4)…, i.e. 2+√2, 2, 2−√2.
    const r = check([
      [2, -1, 0],
      [-1, 2, -1],
      [0, -1, 2],
    ]);
    expect(Array.from(r.values)).toEqual([2 + Math.SQRT2, 2, 2 - Math.SQRT2].map((x) => expect.closeTo(x, 13)));
  });

  it('reconstructs random symmetric matrices of several sizes, indefinite ones included', () => {
    const rand = testRandom(7);
    for (const n of [1, 2, 5, 17, 64]) {
      const x = randomDense(n, n, rand);
      check(x.map((row, i) => row.map((v, j) => v + x[j]![i]!)));
    }
  });

  it('matches eigenvalues via the characteristic property A q = λ q on a 40×40 PSD covariance', () => {
    const a = randomPsd(40, 100, testRandom(11));
    const { values, q } = check(a);
    for (let j = 0; j < 40; j++) {
      const v = q.map((row) => [row[j]!]);
      const av = nMul(a, v);
      for (let i = 0; i < 40; i++) expect(Math.abs(av[i]![0]! - values[j]! * v[i]![0]!)).toBeLessThan(1e-12);
    }
    expect(values[39]).toBeGreaterThan(0);
  });

  it('agrees with an independent cyclic Jacobi solver on random indefinite and PSD matrices', () => {
    const rand = testRandom(31);
    for (const n of [3, 8, 30]) {
      const x = randomDense(n, n, rand);
      const sym = x.map((row, i) => row.map((v, j) => v + x[j]![i]!));
      const ref = nJacobiEigenvalues(sym);
      const { values } = symmetricEigen(toMatrix(sym));
      ref.forEach((v, k) => expect(values[k]).toBeCloseTo(v, 11));
      const psd = randomPsd(n, 2 * n, rand);
      const refP = nJacobiEigenvalues(psd);
      symmetricEigen(toMatrix(psd)).values.forEach((v, k) => expect(v).toBeCloseTo(refP[k]!, 12));
    }
  });

  it('is scale-invariant: tiny (1e-30) and huge (1e30) covariances give scaled eigenvalues', () => {
    const a = randomPsd(10, 25, testRandom(12));
    const base = symmetricEigen(toMatrix(a)).values;
    for (const scale of [1e-30, 1e30]) {
      const v = symmetricEigen(toMatrix(a.map((r) => r.map((x) => x * scale)))).values;
      v.forEach((x, k) => expect(Math.abs(x / scale - base[k]!)).toBeLessThan(1e-12 * base[0]!));
    }
  });

  it('handles an already-diagonal matrix (sorted descending, vectors are unit axes)', () => {
    const { values, q } = check([
      [1, 0, 0, 0],
      [0, 4, 0, 0],
      [0, 0, -2, 0],
      [0, 0, 0, 3],
    ]);
    expect(Array.from(values)).toEqual([4, 3, 1, -2]);
    expect(Math.abs(q[1]![0]!)).toBe(1);
    expect(Math.abs(q[3]![1]!)).toBe(1);
    expect(Math.abs(q[0]![2]!)).toBe(1);
    expect(Math.abs(q[2]![3]!)).toBe(1);
  });

  it('handles degenerate eigenvalues: the identity, and a rank-one update of it', () => {
    const { values } = check(nEye(6));
    expect(Array.from(values)).toEqual([1, 1, 1, 1, 1, 1].map((x) => expect.closeTo(x, 14)));
    // I + u uᵀ with ‖u‖² = 9: eigenvalues 10 (once) and 1 (five times).
    const u = [1, 2, 2, 0, 0, 0];
    const a = nEye(6).map((row, i) => row.map((x, j) => x + u[i]! * u[j]!));
    const r = check(a);
    expect(r.values[0]).toBeCloseTo(10, 13);
    for (let i = 1; i < 6; i++) expect(r.values[i]).toBeCloseTo(1, 13);
    // The top eigenvector is +u/3 (largest entries 2/3 positive).
    u.forEach((x, i) => expect(r.q[i]![0]!).toBeCloseTo(x / 3, 13));
  });

  it('handles the zero matrix and near-singular PSD covariances (rank-deficient, tiny eigenvalues)', () => {
    const z = check([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(Array.from(z.values)).toEqual([0, 0, 0]);
    // Rank 3 covariance in dimension 12: nine eigenvalues ≈ 0 (|λ| ≤ 1e-14 λ_max).
    const a = randomPsd(12, 3, testRandom(3));
    const { values } = check(a);
    for (let i = 3; i < 12; i++) expect(Math.abs(values[i]!)).toBeLessThan(1e-14 * values[0]!);
    expect(values[2]).toBeGreaterThan(1e-3);
    // Condition number 1e12: scale columns of a random orthogonal basis.
    const { q } = check(randomPsd(8, 30, testRandom(5)));
    const lam = [1, 1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12, 1e-12];
    const c = nMul(
      nMul(
        q,
        lam.map((l, i) => lam.map((_, j) => (i === j ? l : 0))),
      ),
      nT(q),
    );
    const r = check(c);
    lam.forEach((l, i) => expect(Math.abs(r.values[i]! - l)).toBeLessThan(1e-15));
  });

  it('accepts float32-level asymmetry, rejects real asymmetry, NaN and non-square input', () => {
    const a = randomPsd(5, 9, testRandom(9));
    a[0]![1] = a[0]![1]! * (1 + 1e-6); // float32-level asymmetry
    expect(() => symmetricEigen(toMatrix(a))).not.toThrow();
    a[0]![1] = a[0]![1]! + 0.1;
    expect(() => symmetricEigen(toMatrix(a))).toThrow(InvalidInputError);
    const bad = fromRows([
      [1, NaN],
      [NaN, 1],
    ]);
    expect(() => symmetricEigen(bad, { label: { layer: 'h.0.mlp.c_fc', tensor: 'A' } })).toThrow(/layer h\.0\.mlp\.c_fc, tensor A: non-finite value NaN/);
    expect(() => symmetricEigen(bad)).toThrow(NonFiniteValueError);
    expect(() => symmetricEigen(matrix(2, 3))).toThrow(ShapeMismatchError);
    expect(symmetricEigen(matrix(0, 0)).values.length).toBe(0);
  });

  it('decomposes a 300×300 covariance with a fast check (Q Λ Qᵀ ≈ A, QᵀQ ≈ I)', () => {
    const rand = testRandom(21);
    const n = 300;
    const x = matrix(400, n);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rand() - 0.5;
    const a = matrix(n, n);
    for (let t = 0; t < 400; t++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.data[i * n + j]! += (x.data[t * n + i]! * x.data[t * n + j]!) / 400;
    const { values, vectors } = symmetricEigen(a);
    const Q = vectors.data;
    let recon = 0;
    let orth = 0;
    // Spot-check 400 random entries of both identities.
    for (let s = 0; s < 400; s++) {
      const i = Math.floor(rand() * n);
      const j = Math.floor(rand() * n);
      let r = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        r += Q[i * n + k]! * values[k]! * Q[j * n + k]!;
        o += Q[k * n + i]! * Q[k * n + j]!;
      }
      recon = Math.max(recon, Math.abs(r - a.data[i * n + j]!));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
    expect(recon).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-12);
  });
});
