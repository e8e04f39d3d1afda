import { cumulativePositiveShare } from '../../../src/math/statistics/cumulative-share.statistic';
import { powerLawFit } from '../../../src/math/statistics/power-law-fit.statistic';
import { InvalidInputError } from '../../../src/errors/tracebase.error';
import { testRandom } from '../support/naive';

describe('cumulativePositiveShare', () => {
  const scores = [2, -1, 5, 0, 3, -4];

  it('computes shares of total positive influence at top-k percentiles of positive documents', () => {
    const r = cumulativePositiveShare(scores, [34, 50, 100]);
    expect(r.totalPositive).toBe(10);
    expect(r.positiveCount).toBe(3);
    expect(r.points).toEqual([
      { percentile: 34, k: 2, share: 0.8 },
      { percentile: 50, k: 2, share: 0.8 },
      { percentile: 100, k: 3, share: 1 },
    ]);
  });

  it('with base "all" takes percentiles of all documents; tiny percentiles keep k ≥ 1', () => {
    const r = cumulativePositiveShare(scores, [0.01, 10, 50, 100], 'all');
    expect(r.points.map((p) => [p.k, p.share])).toEqual([
      [1, 0.5],
      [1, 0.5],
      [3, 1],
      [6, 1],
    ]);
  });

  it('agrees with a naive sort-and-sum on random scores, and is non-decreasing', () => {
    const rand = testRandom(2);
    const x = Array.from({ length: 1000 }, () => (rand() - 0.4) ** 3);
    const pos = x.filter((v) => v > 0).sort((a, b) => b - a);
    const total = pos.reduce((s, v) => s + v, 0);
    const r = cumulativePositiveShare(x, [1, 5, 10, 20, 50, 100]);
    for (const p of r.points) {
      const k = Math.ceil((p.percentile / 100) * pos.length);
      expect(p.k).toBe(k);
      expect(p.share).toBeCloseTo(pos.slice(0, k).reduce((s, v) => s + v, 0) / total, 12);
    }
    for (let i = 1; i < r.points.length; i++) expect(r.points[i]!.share).toBeGreaterThanOrEqual(r.points[i - 1]!.share);
  });

  it('refuses all-non-positive scores and bad percentiles', () => {
    expect(() => cumulativePositiveShare([-1, 0])).toThrow(InvalidInputError);
    expect(() => cumulativePositiveShare([1], [0])).toThrow(InvalidInputError);
    expect(() => cumulativePositiveShare([1], [101])).toThrow(InvalidInputError);
  });
});

describe('powerLawFit', () => {
  it('recovers an exact power law (α, C, R² = 1) from shuffled scores mixed with negatives', () => {
    const rand = testRandom(8);
    const docs: number[] = [];
    for (let r = 1; r <= 800; r++) docs.push(3 * r ** -0.35);
    for (let i = 0; i < 300; i++) docs.push(-rand());
    docs.sort(() => rand() - 0.5);
    const fit = powerLawFit(docs, 500);
    expect(fit.n).toBe(500);
    expect(fit.alpha).toBeCloseTo(-0.35, 12);
    expect(fit.logIntercept).toBeCloseTo(Math.log(3), 12);
    expect(fit.rSquared).toBeCloseTo(1, 12);
  });

  it('matches a naive least-squares fit on noisy data and only uses the top N', () => {
    const rand = testRandom(9);
    const x = Array.from({ length: 2000 }, (_, i) => 0.01 * (i + 1) ** -0.5 * Math.exp(0.3 * (rand() - 0.5)));
    const top = [...x].sort((a, b) => b - a).slice(0, 100);
    const lx = top.map((_, i) => Math.log(i + 1));
    const ly = top.map((v) => Math.log(v));
    const n = 100;
    const sx = lx.reduce((s, v) => s + v, 0);
    const sy = ly.reduce((s, v) => s + v, 0);
    const sxy = lx.reduce((s, v, i) => s + v * ly[i]!, 0);
    const sxx = lx.reduce((s, v) => s + v * v, 0);
    const syy = ly.reduce((s, v) => s + v * v, 0);
    const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    const fit = powerLawFit(x, 100);
    expect(fit.alpha).toBeCloseTo(slope, 10);
    expect(fit.rSquared).toBeCloseTo(r * r, 10);
    expect(fit.rSquared).toBeLessThan(1);
    expect(fit.logIntercept).toBeCloseTo((sy - slope * sx) / n, 10);
  });

  it('refuses fewer than two positive scores', () => {
    expect(() => powerLawFit([1, -2, 0])).toThrow(InvalidInputError);
    expect(() => powerLawFit([1, 2], 1)).toThrow(InvalidInputError);
  });
});
