import { frobeniusInner, matrix } from '../../src/math/dense-matrix';
import { gaussianProjectionMatrix } from '../../src/math/gaussian-projection';
import { projectLayerMatrix } from '../../src/math/kronecker-projection';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { separableWhitening, whitenedKroneckerProjection } from '../../src/math/whitened-projection';
import { InvalidInputError } from '../../src/errors/tracebase.error';
import { nMaxAbsDiff, nMul, nT, randomDense, randomPsd, testRandom, toDense, toMatrix } from './support/naive';

function eigenvectors(n: number, seed: number) {
  return symmetricEigen(toMatrix(randomPsd(n, n + 2, testRandom(seed)))).vectors;
}

describe('separable whitening scales', () => {
  it('reproduce (Λ + λ)^{-1/2} exactly when log(Λ + λ) is additive, and fit it by least squares otherwise', () => {
    const u = [0.3, -1.2, 2.0];
    const v = [1.1, 0.0, -0.7, 0.4];
    const damping = 0.05;
    const lambda = matrix(
      3,
      4,
      u.flatMap((a) => v.map((b) => Math.exp(a + b) - damping)),
    );
    const { dS, dA } = separableWhitening(lambda, damping);
    for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expect(dS[j]! * dA[k]!).toBeCloseTo(Math.exp(-(u[j]! + v[k]!) / 2), 12);

    // not additive: the fitted log(d_S d_A) has residuals that sum to zero over every row and column
    const rand = testRandom(4);
    const l2 = matrix(
      3,
      4,
      Array.from({ length: 12 }, () => rand() * 5),
    );
    const fit = separableWhitening(l2, 0.1);
    const resid = (j: number, k: number) => Math.log(l2.data[j * 4 + k]! + 0.1) + 2 * Math.log(fit.dS[j]! * fit.dA[k]!);
    for (let j = 0; j < 3; j++) expect(Math.abs([0, 1, 2, 3].reduce((s, k) => s + resid(j, k), 0))).toBeLessThan(1e-12);
    for (let k = 0; k < 4; k++) expect(Math.abs([0, 1, 2].reduce((s, j) => s + resid(j, k), 0))).toBeLessThan(1e-12);
  });

  it('refuses a non-positive damping and negative or non-finite eigenvalues', () => {
    expect(() => separableWhitening(matrix(1, 2, [1, 2]), 0)).toThrow(InvalidInputError);
    expect(() => separableWhitening(matrix(1, 2, [1, -2]), 0.1)).toThrow(/eigenvalue \[0, 1\]/);
    expect(() => separableWhitening(matrix(1, 2, [1, Number.NaN]), 0.1)).toThrow(InvalidInputError);
  });
});

describe('whitened Kronecker projections', () => {
  const o = 5;
  const n = 4;
  const qS = eigenvectors(o, 1);
  const qA = eigenvectors(n, 2);
  const dS = Float64Array.from([0.5, 1.5, 2.0, 0.8, 1.1]);
  const dA = Float64Array.from([1.3, 0.6, 0.9, 2.2]);

  it('document side is Ω_S D_S Q_Sᵀ and Ω_A D_A Q_Aᵀ, query side uses D⁻¹ (naive products)', () => {
    const w = whitenedKroneckerProjection(9, 3, qS, dS, 3, qA, dA, 2);
    const omegaS = toDense(gaussianProjectionMatrix(3, o, 9, 3, 0));
    const omegaA = toDense(gaussianProjectionMatrix(2, n, 9, 3, 1));
    const diag = (d: Float64Array, p: 1 | -1) => Array.from(d, (x, i) => Array.from(d, (_, j) => (i === j ? (p === 1 ? x : 1 / x) : 0)));
    expect(nMaxAbsDiff(toDense(w.document.p), nMul(nMul(omegaS, diag(dS, 1)), nT(toDense(qS))))).toBeLessThan(1e-13);
    expect(nMaxAbsDiff(toDense(w.document.r), nMul(nMul(omegaA, diag(dA, 1)), nT(toDense(qA))))).toBeLessThan(1e-13);
    expect(nMaxAbsDiff(toDense(w.query.p), nMul(nMul(omegaS, diag(dS, -1)), nT(toDense(qS))))).toBeLessThan(1e-13);
    expect(nMaxAbsDiff(toDense(w.query.r), nMul(nMul(omegaA, diag(dA, -1)), nT(toDense(qA))))).toBeLessThan(1e-13);
  });

  it('⟨P′ M R′ᵀ, P G Rᵀ⟩ is an unbiased estimate of ⟨M, G⟩ (3000 seeds, within 5 standard errors)', () => {
    const rand = testRandom(23);
    const G = randomDense(o, n, rand);
    const M = G.map((row) => row.map((x) => x + 0.5 * (2 * rand() - 1)));
    const exact = frobeniusInner(toMatrix(M), toMatrix(G));
    const S = 3000;
    let s = 0;
    let s2 = 0;
    for (let seed = 0; seed < S; seed++) {
      const w = whitenedKroneckerProjection(seed, 0, qS, dS, 3, qA, dA, 2);
      const est = frobeniusInner(projectLayerMatrix(w.query, toMatrix(M)), projectLayerMatrix(w.document, toMatrix(G)));
      s += est;
      s2 += est * est;
    }
    const m = s / S;
    const se = Math.sqrt((s2 / S - m * m) / S);
    expect(se).toBeLessThan(0.1 * Math.abs(exact));
    expect(Math.abs(m - exact)).toBeLessThan(5 * se);
  });

  it('without the Gaussian factor (Ω = I) the whitened inner product is exact: ⟨D⁻¹C(M)D⁻¹, D C(G) D⟩ = ⟨M, G⟩', () => {
    const rand = testRandom(31);
    const G = toMatrix(randomDense(o, n, rand));
    const M = toMatrix(randomDense(o, n, rand));
    const left = (d: Float64Array, p: 1 | -1) =>
      toMatrix(
        nMul(
          Array.from(d, (v, i) => Array.from(d, (_, j) => (i === j ? (p === 1 ? v : 1 / v) : 0))),
          nT(toDense(qS)),
        ),
      );
    const right = (d: Float64Array, p: 1 | -1) =>
      toMatrix(
        nMul(
          Array.from(d, (v, i) => Array.from(d, (_, j) => (i === j ? (p === 1 ? v : 1 / v) : 0))),
          nT(toDense(qA)),
        ),
      );
    const x = projectLayerMatrix({ p: left(dS, 1), r: right(dA, 1) }, G);
    const y = projectLayerMatrix({ p: left(dS, -1), r: right(dA, -1) }, M);
    expect(frobeniusInner(y, x)).toBeCloseTo(frobeniusInner(M, G), 12);
  });
});
