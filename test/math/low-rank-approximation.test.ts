import { frobeniusInner, matmul, matmulABt, matmulAtB, matrix } from '../../src/math/dense-matrix';
import { gramBasis, gramSide, lowRankApproximation, lowRankInner, normalizeColumns, reconstructLowRank } from '../../src/math/low-rank-approximation';
import { tokenInfluence, tokenInfluenceLowRank } from '../../src/math/token-influence';
import { InvalidInputError } from '../../src/errors/tracebase.error';
import { ShapeMismatchError } from '../../src/math/math.error';
import { Dense, nEye, nMaxAbs, nMaxAbsDiff, nMul, nT, randomDense, testRandom, toDense, toMatrix } from './support/naive';

/** Naive modified Gram–Schmidt: orthonormal columns spanning a random m×k matrix. */
function orthonormalColumns(m: number, k: number, rand: () => number): Dense {
  const x = randomDense(m, k, rand);
  const cols: number[][] = [];
  for (let j = 0; j < k; j++) {
    let v = x.map((row) => row[j]!);
    for (const c of cols) {
      const p = v.reduce((s, vi, i) => s + vi * c[i]!, 0);
      v = v.map((vi, i) => vi - p * c[i]!);
    }
    const nv = Math.hypot(...v);
    cols.push(v.map((vi) => vi / nv));
  }
  return Array.from({ length: m }, (_, i) => cols.map((c) => c[i]!));
}

function diag(d: number[]): Dense {
  return d.map((x, i) => d.map((_, j) => (i === j ? x : 0)));
}

describe('lowRankApproximation (truncated SVD)', () => {
  const rand = testRandom(99);

  for (const [m, n] of [
    [6, 9],
    [9, 6],
  ] as const) {
    it(`recovers a known SVD U0 diag(s) V0ᵀ (${m}×${n}): singular values, optimal rank-2 truncation, orthonormal factors`, () => {
      const k = Math.min(m, n);
      const s = [5, 3, 2, 1, 0.5, 0.25].slice(0, k);
      const U0 = orthonormalColumns(m, k, rand);
      const V0 = orthonormalColumns(n, k, rand);
      const M = nMul(nMul(U0, diag(s)), nT(V0));
      const f = lowRankApproximation(toMatrix(M), 2);
      expect(Array.from(f.sigma)).toEqual([5, 3].map((x) => expect.closeTo(x, 12)));
      const best2 = nMul(
        nMul(
          U0.map((r) => r.slice(0, 2)),
          diag(s.slice(0, 2)),
        ),
        nT(V0.map((r) => r.slice(0, 2))),
      );
      expect(nMaxAbsDiff(toDense(reconstructLowRank(f)), best2)).toBeLessThan(1e-12);
      expect(nMaxAbsDiff(nMul(nT(toDense(f.u)), toDense(f.u)), nEye(2))).toBeLessThan(1e-13);
      expect(nMaxAbsDiff(nMul(nT(toDense(f.v)), toDense(f.v)), nEye(2))).toBeLessThan(1e-13);
      // Full rank reproduces M exactly, and the inner products agree with the dense one.
      const full = lowRankApproximation(toMatrix(M), 100);
      expect(full.sigma.length).toBe(k);
      expect(nMaxAbsDiff(toDense(reconstructLowRank(full)), M)).toBeLessThan(1e-13);
      const G = randomDense(m, n, rand);
      const exact = M.flat().reduce((acc, x, i) => acc + x * G.flat()[i]!, 0);
      expect(lowRankInner(full, toMatrix(G))).toBeCloseTo(exact, 12);
      expect(lowRankInner(f, toMatrix(G))).toBeCloseTo(frobeniusInner(toMatrix(best2), toMatrix(G)), 12);
    });
  }

  it('a rank-deficient matrix (rank 2 in 7×5) with r = 5: exact reconstruction, zero trailing σ, finite factors', () => {
    const M = nMul(randomDense(7, 2, rand), randomDense(2, 5, rand));
    const f = lowRankApproximation(toMatrix(M), 5);
    expect(nMaxAbsDiff(toDense(reconstructLowRank(f)), M)).toBeLessThan(1e-13 * nMaxAbs(M));
    expect(f.sigma[2]!).toBeLessThan(1e-7 * f.sigma[0]!);
    expect(f.u.data.every(Number.isFinite) && f.v.data.every(Number.isFinite)).toBe(true);
    const zero = lowRankApproximation(matrix(3, 4), 2);
    expect(Array.from(zero.sigma)).toEqual([0, 0]);
    expect(lowRankInner(zero, toMatrix(randomDense(3, 4, rand)))).toBe(0);
  });

  it('is gramBasis of the smaller side’s Gram, then normalizeColumns of the other side (the pieces a batched caller reuses)', () => {
    for (const [m, n] of [
      [7, 5],
      [5, 7],
      [6, 6],
    ] as const) {
      const M = toMatrix(randomDense(m, n, rand));
      const side = gramSide(m, n);
      expect(side).toBe(m <= n ? 'rows' : 'cols');
      const basis = gramBasis(side === 'rows' ? matmulABt(M, M) : matmulAtB(M, M), 3);
      const w = side === 'rows' ? matmulAtB(M, basis) : matmul(M, basis);
      const sigma = normalizeColumns(w);
      const f = lowRankApproximation(M, 3);
      expect(Array.from(sigma)).toEqual(Array.from(f.sigma));
      expect(Array.from(side === 'rows' ? basis.data : w.data)).toEqual(Array.from(f.u.data));
      expect(Array.from(side === 'rows' ? w.data : basis.data)).toEqual(Array.from(f.v.data));
    }
    const zero = matrix(3, 2);
    expect(Array.from(normalizeColumns(zero))).toEqual([0, 0]);
    expect(Array.from(zero.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => gramBasis(matrix(2, 2), 3)).toThrow(InvalidInputError);
  });

  it('rejects bad ranks and mismatched G', () => {
    expect(() => lowRankApproximation(matrix(2, 2), 0)).toThrow(InvalidInputError);
    expect(() => lowRankInner(lowRankApproximation(toMatrix(randomDense(3, 4, rand)), 1), matrix(4, 3))).toThrow(ShapeMismatchError);
  });
});

describe('token-wise influence', () => {
  it('τ_t = δ_tᵀ M a_t, Σ_t τ_t = ⟨M, Δᵀ Ã⟩, and the low-rank form matches the dense reconstruction', () => {
    const rand = testRandom(5);
    const M = randomDense(4, 3, rand);
    const D = randomDense(6, 4, rand);
    const A = randomDense(6, 3, rand);
    const tau = tokenInfluence(toMatrix(M), toMatrix(D), toMatrix(A));
    for (let t = 0; t < 6; t++) {
      const naive = nMul(nMul([D[t]!], M), nT([A[t]!]))[0]![0]!;
      expect(tau[t]).toBeCloseTo(naive, 13);
    }
    const G = nMul(nT(D), A);
    const total = M.flat().reduce((s, x, k) => s + x * G.flat()[k]!, 0);
    expect(tau.reduce((s, x) => s + x, 0)).toBeCloseTo(total, 12);
    const f = lowRankApproximation(toMatrix(M), 2);
    const dense = tokenInfluence(reconstructLowRank(f), toMatrix(D), toMatrix(A));
    const low = tokenInfluenceLowRank(f, toMatrix(D), toMatrix(A));
    dense.forEach((x, t) => expect(low[t]).toBeCloseTo(x, 12));
    expect(() => tokenInfluence(toMatrix(M), toMatrix(D), toMatrix(randomDense(5, 3, rand)))).toThrow(ShapeMismatchError);
  });
});
