import { correlationMatrix } from '../../../src/math/statistics/correlation-matrix.statistic';
import { pearson } from '../../../src/math/statistics/pearson.statistic';
import { spearman } from '../../../src/math/statistics/spearman.statistic';
import { ShapeMismatchError } from '../../../src/math/math.error';
import { testRandom } from '../support/naive';

describe('correlationMatrix', () => {
  it('is symmetric with unit diagonal and pairwise Pearson / Spearman entries', () => {
    const rand = testRandom(1);
    const base = Array.from({ length: 200 }, rand);
    const rows = [base, base.map((x) => x + 0.3 * rand()), base.map((x) => -x * x), Array.from({ length: 200 }, rand)];
    for (const method of ['pearson', 'spearman'] as const) {
      const c = correlationMatrix(rows, method);
      const f = method === 'pearson' ? pearson : spearman;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expect(c.data[a * 4 + b]).toBeCloseTo(a === b ? 1 : f(rows[a]!, rows[b]!), 14);
    }
    expect(correlationMatrix(rows, 'spearman').data[2]).toBeCloseTo(-1, 14); // −x² is decreasing on [0, 1)
    expect(() =>
      correlationMatrix([
        [1, 2, 3],
        [1, 2],
      ]),
    ).toThrow(ShapeMismatchError);
  });
});
