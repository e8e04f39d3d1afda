import { lowRankApproximation, lowRankInner, reconstructLowRank } from '../../src/math/low-rank-approximation';
import { randomizedLowRankApproximation } from '../../src/math/randomized-low-rank';
import { InvalidInputError } from '../../src/errors/tracebase.error';
import { Dense, nEye, nMaxAbsDiff, nMul, nT, randomDense, testRandom, toDense, toMatrix } from './support/naive';

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

/** M = U0 diag(s) V0ᵀ with a known spectrum. */
function withSpectrum(m: number, n: number, s: number[], rand: () => number): Dense {
  const U0 = orthonormalColumns(m, s.length, rand);
  const V0 = orthonormalColumns(n, s.length, rand);
  return nMul(
    nMul(
      U0,
      s.map((x, i) => s.map((_, j) => (i === j ? x : 0))),
    ),
    nT(V0),
  );
}

describe('randomizedLowRankApproximation', () => {
  const rand = testRandom(77);

  it('is exact when rank(M) ≤ r + p (tall and wide)', () => {
    for (const [m, n] of [
      [60, 40],
      [40, 60],
    ] as const) {
      const M = withSpectrum(m, n, [9, 4, 2, 1, 0.5], rand);
      const f = randomizedLowRankApproximation(toMatrix(M), 5, { oversampling: 3, powerIterations: 0 });
      expect(nMaxAbsDiff(toDense(reconstructLowRank(f)), M)).toBeLessThan(1e-12);
      expect(Array.from(f.sigma)).toEqual([9, 4, 2, 1, 0.5].map((x) => expect.closeTo(x, 11)));
      expect(nMaxAbsDiff(nMul(nT(toDense(f.u)), toDense(f.u)), nEye(5))).toBeLessThan(1e-12);
      expect(nMaxAbsDiff(nMul(nT(toDense(f.v)), toDense(f.v)), nEye(5))).toBeLessThan(1e-12);
    }
  });

  it('with a decaying spectrum matches the exact truncation closely, and power iterations help', () => {
    const s = Array.from({ length: 30 }, (_, k) => 0.7 ** k);
    const M = withSpectrum(80, 50, s, rand);
    const exact = lowRankApproximation(toMatrix(M), 4);
    const best = toDense(reconstructLowRank(exact));
    const err = (q: number) =>
      nMaxAbsDiff(toDense(reconstructLowRank(randomizedLowRankApproximation(toMatrix(M), 4, { powerIterations: q, oversampling: 4 }))), best);
    const e0 = err(0);
    const e2 = err(2);
    expect(e2).toBeLessThan(e0);
    expect(e2).toBeLessThan(0.01 * s[4]!);
    const f = randomizedLowRankApproximation(toMatrix(M), 4);
    f.sigma.forEach((x, k) => expect(Math.abs(x - s[k]!)).toBeLessThan(1e-4 * s[0]!));
    const G = toMatrix(randomDense(80, 50, rand));
    expect(lowRankInner(f, G)).toBeCloseTo(lowRankInner(exact, G), 4);
  });

  it('is deterministic per seed and refuses bad options', () => {
    const M = toMatrix(randomDense(30, 20, rand));
    const a = randomizedLowRankApproximation(M, 3, { seed: 5 });
    const b = randomizedLowRankApproximation(M, 3, { seed: 5 });
    expect(a.u.data).toEqual(b.u.data);
    expect(() => randomizedLowRankApproximation(M, 0)).toThrow(InvalidInputError);
    expect(() => randomizedLowRankApproximation(M, 2, { oversampling: -1 })).toThrow(InvalidInputError);
    // r + p ≥ min(m, n) falls back to the exact method.
    const full = randomizedLowRankApproximation(M, 15);
    expect(nMaxAbsDiff(toDense(reconstructLowRank(full)), toDense(reconstructLowRank(lowRankApproximation(M, 15))))).toBeLessThan(1e-12);
  });
});
