import { matrix } from '../../src/math/dense-matrix';
import { effectiveDimension } from '../../src/math/effective-dimension';

describe('effectiveDimension', () => {
  it('sums Λ/(Λ+λ) and reports the share of the leading block and of the best coordinates, against a hand computation', () => {
    // 2 × 3 eigenvalues, damping 1: weights 3/4, 0, 1/2 / 1/2, 1/3, 0
    const lam = matrix(2, 3, [3, 0, 1, 1, 0.5, 0]);
    const d = effectiveDimension(lam, 1, [1, 2, 5]);
    const total = 3 / 4 + 1 / 2 + 1 / 2 + 1 / 3;
    expect(d.coordinates).toBe(6);
    expect(d.dEff).toBeCloseTo(total, 12);
    // r = 1: block {(0,0)} = 3/4, also the single best coordinate
    expect(d.byRank[0]).toEqual({ rank: 1, dims: 1, blockShare: expect.closeTo(0.75 / total, 12), bestShare: expect.closeTo(0.75 / total, 12) });
    // r = 2: block (0,0),(0,1),(1,0),(1,1) = 3/4 + 0 + 1/2 + 1/3; best four = 3/4 + 1/2 + 1/2 + 1/3 (all but the zeros)
    expect(d.byRank[1]!.dims).toBe(4);
    expect(d.byRank[1]!.blockShare).toBeCloseTo((0.75 + 0.5 + 1 / 3) / total, 12);
    expect(d.byRank[1]!.bestShare).toBeCloseTo(1, 12);
    // r beyond the layer clips to the whole layer
    expect(d.byRank[2]).toEqual({ rank: 5, dims: 6, blockShare: expect.closeTo(1, 12), bestShare: expect.closeTo(1, 12) });
  });

  it('approaches the number of coordinates when damping is negligible and 0 when it dominates', () => {
    const lam = matrix(
      3,
      3,
      Array.from({ length: 9 }, (_, i) => i + 1),
    );
    expect(effectiveDimension(lam, 1e-9, [1]).dEff).toBeCloseTo(9, 6);
    expect(effectiveDimension(lam, 1e9, [1]).dEff).toBeLessThan(1e-7);
  });

  it('refuses a non-positive damping and negative or non-finite eigenvalues', () => {
    expect(() => effectiveDimension(matrix(1, 1, [1]), 0, [1])).toThrow(/damping must be a positive/);
    expect(() => effectiveDimension(matrix(1, 2, [1, -1]), 1, [1])).toThrow(/eigenvalues must be finite and ≥ 0, got -1/);
    expect(() => effectiveDimension(matrix(1, 1, [NaN]), 1, [1])).toThrow(/got NaN/);
  });
});
