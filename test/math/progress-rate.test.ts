import { InvalidInputError } from '../../src/errors/tracebase.error';
import { etaSeconds, progressRate } from '../../src/math/progress-rate';

describe('progressRate', () => {
  // a steady process: a batch of 10 documents (500 tokens) lands every 2 s from t = 1000 ms
  const steady = Array.from({ length: 6 }, (_, i) => ({ at: 1000 + 2000 * i, items: 10, tokens: 500 }));

  it('measures a steady process exactly at the instant of the last batch (first instant excluded)', () => {
    const rate = progressRate(steady, 11_000)!;
    expect(rate.itemsPerSecond).toBeCloseTo(5, 12); // 50 documents after t0 over 10 s
    expect(rate.tokensPerSecond).toBeCloseTo(250, 12);
    expect(rate.windowSeconds).toBe(10);
  });

  it('does not depend on the order of the instants and merges equal instants', () => {
    const shuffled = [steady[3]!, steady[0]!, steady[5]!, steady[1]!, steady[4]!, steady[2]!];
    expect(progressRate(shuffled, 11_000)).toEqual(progressRate(steady, 11_000));
    // two workers committing at the same millisecond: one instant of 20 documents
    const split = [...steady.slice(0, 5), { at: 11_000, items: 4, tokens: 200 }, { at: 11_000, items: 6, tokens: 300 }];
    expect(progressRate(split, 11_000)).toEqual(progressRate(steady, 11_000));
  });

  it('falls while workers stall (asOf = now) and keeps the window rate when asOf precedes the last instant', () => {
    const stalled = progressRate(steady, 31_000)!;
    expect(stalled.itemsPerSecond).toBeCloseTo(50 / 30, 12);
    expect(progressRate(steady, 5_000)).toEqual(progressRate(steady, 11_000));
  });

  it('is unknown (null) before two distinct instants were seen', () => {
    expect(progressRate([], 5_000)).toBeNull();
    expect(progressRate([{ at: 1000, items: 10, tokens: 10 }], 5_000)).toBeNull();
    expect(
      progressRate(
        [
          { at: 1000, items: 10, tokens: 10 },
          { at: 1000, items: 3, tokens: 3 },
        ],
        5_000,
      ),
    ).toBeNull();
  });

  it('refuses non-finite times and negative counts, naming the instant', () => {
    expect(() => progressRate([{ at: 1, items: -1, tokens: 0 }], 2)).toThrow(InvalidInputError);
    expect(() =>
      progressRate(
        [
          { at: 1, items: 1, tokens: 0 },
          { at: Number.NaN, items: 1, tokens: 0 },
        ],
        2,
      ),
    ).toThrow(/instant 1/);
    expect(() => progressRate(steady, Number.POSITIVE_INFINITY)).toThrow(/asOf/);
  });
});

describe('etaSeconds', () => {
  it('is the remaining work over the rate, rounded up', () => {
    expect(etaSeconds(100, 5)).toBe(20);
    expect(etaSeconds(101, 5)).toBe(21);
    expect(etaSeconds(1, 1000)).toBe(1);
  });

  it('is null when nothing remains or the rate is unknown, zero or not finite', () => {
    expect(etaSeconds(0, 5)).toBeNull();
    expect(etaSeconds(-3, 5)).toBeNull();
    expect(etaSeconds(10, null)).toBeNull();
    expect(etaSeconds(10, 0)).toBeNull();
    expect(etaSeconds(10, Number.POSITIVE_INFINITY)).toBeNull();
  });
});
