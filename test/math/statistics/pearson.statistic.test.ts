import { pearson } from '../../../src/math/statistics/pearson.statistic';
import { spearman } from '../../../src/math/statistics/spearman.statistic';
import { averageRanks } from '../../../src/math/statistics/average-ranks.statistic';
import { InvalidInputError } from '../../../src/errors/tracebase.error';
import { NonFiniteValueError, ShapeMismatchError } from '../../../src/math/math.error';
import { testNormal, testRandom } from '../support/naive';

/** One-pass textbook formula (different algorithm from the centred two-pass one). */
function naivePearson(x: number[], y: number[]): number {
  const n = x.length;
  let sx = 0,
    sy = 0,
    sxx = 0,
    syy = 0,
    sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
    sxx += x[i]! ** 2;
    syy += y[i]! ** 2;
    sxy += x[i]! * y[i]!;
  }
  return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}

/** O(n²) rank by counting: 1 + #smaller + (#equal − 1)/2. */
function naiveRanks(x: number[]): number[] {
  return x.map((v) => 1 + x.filter((w) => w < v).length + (x.filter((w) => w === v).length - 1) / 2);
}

describe('pearson', () => {
  it('matches a worked example and the one-pass formula on random data', () => {
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(Math.sqrt(0.6), 14);
    const rand = testRandom(3);
    const normal = testNormal(rand);
    const x = Array.from({ length: 1000 }, normal);
    const y = x.map((v) => 0.7 * v + 0.5 * normal());
    expect(pearson(x, y)).toBeCloseTo(naivePearson(x, y), 12);
    expect(
      pearson(
        x,
        x.map((v) => -2 * v + 3),
      ),
    ).toBeCloseTo(-1, 13);
    expect(pearson(Float64Array.from(x), Float64Array.from(x.map((v) => 5 * v)))).toBeCloseTo(1, 13);
  });

  it('is accurate for scores with a large common offset (where the one-pass formula fails)', () => {
    const x = [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4];
    const y = [1, 3, 2, 4];
    expect(pearson(x, y)).toBeCloseTo(0.8, 12);
  });

  it('refuses constant vectors, short or mismatched input and NaN', () => {
    expect(() => pearson([1, 1, 1], [1, 2, 3])).toThrow(InvalidInputError);
    expect(() => pearson([1], [1])).toThrow(InvalidInputError);
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow(ShapeMismatchError);
    expect(() => pearson([1, NaN, 2], [1, 2, 3])).toThrow(NonFiniteValueError);
  });
});

describe('spearman and average ranks', () => {
  it('averages tied ranks', () => {
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(averageRanks([3, 1, 3, 3, 0]))).toEqual([4, 2, 4, 4, 1]);
    const rand = testRandom(5);
    for (const n of [300, 2999]) {
      const x = Array.from({ length: n }, () => Math.floor(rand() * 40));
      expect(Array.from(averageRanks(x))).toEqual(naiveRanks(x));
      const y = Array.from({ length: n }, () => rand() - 0.5);
      expect(Array.from(averageRanks(y))).toEqual(naiveRanks(y));
    }
  });

  it('without ties equals 1 − 6Σd²/(n(n²−1)); with ties equals Pearson of naive average ranks', () => {
    const rand = testRandom(6);
    const x = Array.from({ length: 200 }, rand);
    const y = x.map((v) => v + 0.3 * rand());
    const rx = naiveRanks(x);
    const ry = naiveRanks(y);
    const n = x.length;
    const d2 = rx.reduce((s, r, i) => s + (r - ry[i]!) ** 2, 0);
    expect(spearman(x, y)).toBeCloseTo(1 - (6 * d2) / (n * (n * n - 1)), 12);
    const tx = x.map((v) => Math.round(v * 10));
    const ty = y.map((v) => Math.round(v * 10));
    expect(spearman(tx, ty)).toBeCloseTo(naivePearson(naiveRanks(tx), naiveRanks(ty)), 12);
    // Monotone but non-linear: Spearman 1, Pearson below 1.
    const z = x.map((v) => Math.exp(8 * v));
    expect(spearman(x, z)).toBeCloseTo(1, 14);
    expect(pearson(x, z)).toBeLessThan(0.95);
  });
});
