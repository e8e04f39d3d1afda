import { frobeniusInner, matrix } from '../../src/math/dense-matrix';
import { eigenbasisKroneckerProjection, eigenbasisProjectionMatrix } from '../../src/math/eigenbasis-projection';
import { gaussianKroneckerProjection, gaussianProjectionMatrix } from '../../src/math/gaussian-projection';
import { projectLayerMatrix, projectLowRank, projectTokenGradient } from '../../src/math/kronecker-projection';
import { lowRankApproximation, reconstructLowRank } from '../../src/math/low-rank-approximation';
import { ShapeMismatchError } from '../../src/math/math.error';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { InvalidInputError } from '../../src/errors/tracebase.error';
import { nEye, nMaxAbsDiff, nMul, nT, randomDense, randomPsd, testRandom, toDense, toMatrix } from './support/naive';

describe('Gaussian Kronecker projections', () => {
  it('entries have variance 1/rank, and the matrices are prefix-stable across ranks', () => {
    const p = gaussianProjectionMatrix(50, 400, 7, 2, 0);
    const v = p.data.reduce((s, x) => s + x * x, 0) / p.data.length;
    // 20000 N(0, 1/50) entries: the sample variance has standard error ≈ (1/50)·√(2/20000).
    expect(Math.abs(v - 1 / 50)).toBeLessThan(5 * (1 / 50) * Math.sqrt(2 / 20000));
    const q = gaussianProjectionMatrix(10, 400, 7, 2, 0);
    for (let k = 0; k < 10 * 400; k++) expect(q.data[k]).toBeCloseTo(p.data[k]! * Math.sqrt(50 / 10), 14);
    const pr = gaussianKroneckerProjection(7, 2, 10, 400, 3, 9);
    expect(pr.p.data).toEqual(q.data);
    expect(pr.r.rows).toBe(3);
    expect(pr.r.cols).toBe(9);
    expect(pr.r.data.slice(0, 3)).not.toEqual(pr.p.data.slice(0, 3));
    expect(() => gaussianProjectionMatrix(0, 4, 1, 0, 0)).toThrow(InvalidInputError);
  });

  it('⟨P X Rᵀ, P Y Rᵀ⟩ is an unbiased estimate of ⟨X, Y⟩ (3000 seeds, within 5 standard errors)', () => {
    const rand = testRandom(17);
    const X = randomDense(6, 5, rand);
    const Y = X.map((row) => row.map((x) => x + 0.5 * (2 * rand() - 1)));
    const exact = frobeniusInner(toMatrix(X), toMatrix(Y));
    const S = 3000;
    let s = 0;
    let s2 = 0;
    for (let seed = 0; seed < S; seed++) {
      const proj = gaussianKroneckerProjection(seed, 0, 3, 6, 2, 5);
      const est = frobeniusInner(projectLayerMatrix(proj, toMatrix(X)), projectLayerMatrix(proj, toMatrix(Y)));
      s += est;
      s2 += est * est;
    }
    const m = s / S;
    const se = Math.sqrt((s2 / S - m * m) / S);
    expect(se).toBeLessThan(0.1 * Math.abs(exact)); // the test has power: a 10 % bias would show
    expect(Math.abs(m - exact)).toBeLessThan(5 * se);
  });

  it('P G Rᵀ from token matrices equals projecting the formed gradient, and naive P·G·Rᵀ', () => {
    const rand = testRandom(3);
    const D = randomDense(7, 6, rand); // T×o
    const A = randomDense(7, 4, rand); // T×(i+1)
    const G = nMul(nT(D), A);
    const proj = gaussianKroneckerProjection(11, 1, 3, 6, 2, 4);
    const naive = nMul(nMul(toDense(proj.p), G), nT(toDense(proj.r)));
    expect(nMaxAbsDiff(toDense(projectLayerMatrix(proj, toMatrix(G))), naive)).toBeLessThan(1e-13);
    expect(nMaxAbsDiff(toDense(projectTokenGradient(proj, toMatrix(D), toMatrix(A))), naive)).toBeLessThan(1e-13);
    const f = lowRankApproximation(toMatrix(randomDense(6, 4, rand)), 2);
    expect(nMaxAbsDiff(toDense(projectLowRank(proj, f)), toDense(projectLayerMatrix(proj, reconstructLowRank(f))))).toBeLessThan(1e-13);
    expect(() => projectTokenGradient(proj, toMatrix(D), toMatrix(randomDense(7, 3, rand)))).toThrow(ShapeMismatchError);
    expect(() => projectLayerMatrix(proj, matrix(4, 6))).toThrow(ShapeMismatchError);
  });
});

describe('eigenbasis projections', () => {
  const rand = testRandom(8);
  const S = randomPsd(5, 20, rand);
  const A = randomPsd(4, 20, rand);
  const eS = symmetricEigen(toMatrix(S));
  const eA = symmetricEigen(toMatrix(A));

  it('rows are the top eigenvectors (S q = λ q), orthonormal', () => {
    const p = eigenbasisProjectionMatrix(eS.vectors, 3);
    const P = toDense(p);
    expect(nMaxAbsDiff(nMul(P, nT(P)), nEye(3))).toBeLessThan(1e-14);
    for (let k = 0; k < 3; k++) {
      const sq = nMul(S, nT([P[k]!]));
      sq.forEach((x, j) => expect(x[0]!).toBeCloseTo(eS.values[k]! * P[k]![j]!, 12));
    }
    expect(() => eigenbasisProjectionMatrix(eS.vectors, 6)).toThrow(InvalidInputError);
  });

  it('at full rank preserves inner products exactly; below it equals the inner product of the projected-onto-subspace matrices', () => {
    const X = toMatrix(randomDense(5, 4, rand));
    const Y = toMatrix(randomDense(5, 4, rand));
    const full = eigenbasisKroneckerProjection(eS.vectors, 5, eA.vectors, 4);
    expect(frobeniusInner(projectLayerMatrix(full, X), projectLayerMatrix(full, Y))).toBeCloseTo(frobeniusInner(X, Y), 12);
    const part = eigenbasisKroneckerProjection(eS.vectors, 2, eA.vectors, 3);
    const P = toDense(part.p);
    const R = toDense(part.r);
    const piS = nMul(nT(P), P);
    const piA = nMul(nT(R), R);
    const expected = frobeniusInner(X, toMatrix(nMul(nMul(piS, toDense(Y)), piA)));
    expect(frobeniusInner(projectLayerMatrix(part, X), projectLayerMatrix(part, Y))).toBeCloseTo(expected, 12);
  });
});
