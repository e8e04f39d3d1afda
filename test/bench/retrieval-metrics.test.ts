import { latencySummary, normProfile, percentile, recallAtK, recallSummary, shareAtOrAbove } from '../../bench/retrieval/retrieval-metrics';

describe('recallAtK', () => {
  it('is the share of the exact top-k found within the first k retrieved', () => {
    expect(recallAtK([1, 2, 3, 4], [4, 3, 2, 1], 4)).toBe(1);
    expect(recallAtK([1, 2, 9, 8], [1, 2, 3, 4], 4)).toBe(0.5);
    expect(recallAtK([9, 8, 7], [1, 2, 3], 3)).toBe(0);
  });

  it('looks only at the first k of both rankings', () => {
    // 3 is in the truth's top-2? no: truth top-2 is {1, 2}; retrieved top-2 is {1, 3}
    expect(recallAtK([1, 3, 2], [1, 2, 3], 2)).toBe(0.5);
    // a hit after position k does not count
    expect(recallAtK([7, 8, 1], [1, 2], 2)).toBe(0);
  });

  it('counts a duplicated id once and divides by the truth size when it is below k', () => {
    expect(recallAtK([1, 1, 1], [1, 2, 3], 3)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK([5, 1, 2], [1, 2], 100)).toBe(1);
    expect(recallAtK([], [1, 2], 100)).toBe(0);
    expect(recallAtK([1], [], 10)).toBe(1);
  });

  it('refuses a k that is not a positive integer', () => {
    expect(() => recallAtK([1], [1], 0)).toThrow(/positive integer/);
    expect(() => recallAtK([1], [1], 1.5)).toThrow(/positive integer/);
  });
});

describe('percentile', () => {
  it('interpolates linearly between the closest ranks (NumPy "linear")', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
    // numpy.percentile(range(1, 21), 95) == 19.05
    expect(percentile(oneToTwenty, 95)).toBeCloseTo(19.05, 12);
    expect(percentile(oneToTwenty, 0)).toBe(1);
    expect(percentile(oneToTwenty, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
  });

  it('does not reorder its input, gives NaN for no samples, refuses bad arguments', () => {
    const xs = [3, 1, 2];
    percentile(xs, 50);
    expect(xs).toEqual([3, 1, 2]);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(/0..100/);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(/sample 1/);
  });

  it('summarises latencies and recalls', () => {
    expect(latencySummary([10, 20, 30, 40, 50])).toEqual({ p50: 30, p95: 48, samples: 5 });
    expect(recallSummary([1, 0.5, 0.75])).toEqual({ mean: 0.75, min: 0.5 });
    expect(recallSummary([]).mean).toBeNaN();
  });
});

describe('norm profile and norm dominance', () => {
  it('describes a heavy tail by percentiles and max/median', () => {
    const norms = Array.from({ length: 101 }, (_, i) => (i === 100 ? 500 : i + 1));
    const p = normProfile(norms);
    expect(p.median).toBe(51);
    expect(p.p90).toBe(91);
    expect(p.maxOverMedian).toBeCloseTo(500 / 51, 12);
  });

  it('handles a million norms (no argument-spreading limits)', () => {
    const many = new Float64Array(1_000_000).map((_, i) => i % 1000);
    expect(normProfile(many).maxOverMedian).toBeCloseTo(999 / percentile(Array.from(many), 50), 9);
  });

  it('counts the ranked ids whose norm reaches the threshold', () => {
    const normOf = new Map([
      [1, 10],
      [2, 1],
      [3, 5],
    ]);
    expect(shareAtOrAbove([1, 2, 3, 4], normOf, 5)).toBe(0.5);
    expect(shareAtOrAbove([], normOf, 5)).toBeNaN();
  });
});
