import { sourceOverRepresentation } from '../../../src/math/statistics/over-representation.statistic';
import { InvalidInputError } from '../../../src/errors/tracebase.error';
import { testRandom } from '../support/naive';

describe('sourceOverRepresentation', () => {
  it('divides each source share in the top k by its corpus share', () => {
    // 10 documents: sources 0 (wiki) ×6, 1 (code) ×3, 2 (math) ×1.
    const sources = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2];
    const ranking = [9, 6, 0, 7, 1]; // math, code, wiki, code, wiki
    const r = sourceOverRepresentation(ranking, sources, 4, [5, 2]);
    expect(Array.from(r.corpusCounts)).toEqual([6, 3, 1, 0]);
    expect(Array.from(r.topCounts.data)).toEqual([2, 2, 1, 0, 0, 1, 1, 0]);
    const ratios = Array.from(r.ratios.data);
    // k = 5: wiki 0.4/0.6, code 0.4/0.3, math 0.2/0.1, unseen source NaN.
    expect(ratios[0]).toBeCloseTo(2 / 3, 14);
    expect(ratios[1]).toBeCloseTo(4 / 3, 14);
    expect(ratios[2]).toBeCloseTo(2, 14);
    expect(ratios[3]).toBeNaN();
    // k = 2: code 0.5/0.3, math 0.5/0.1.
    expect(ratios.slice(4, 7).map((x) => +x.toFixed(12))).toEqual([0, +(5 / 3).toFixed(12), 5]);
  });

  it('agrees with a naive count on random data', () => {
    const rand = testRandom(4);
    const N = 500;
    const sources = Array.from({ length: N }, () => Math.floor(rand() * 5));
    const ranking = Array.from({ length: N }, (_, i) => i).sort(() => rand() - 0.5);
    const ks = [1, 50, 123, 500];
    const r = sourceOverRepresentation(ranking, Int32Array.from(sources), 5, ks);
    ks.forEach((k, j) => {
      for (let c = 0; c < 5; c++) {
        const top = ranking.slice(0, k).filter((d) => sources[d] === c).length;
        const all = sources.filter((s) => s === c).length;
        expect(r.topCounts.data[j * 5 + c]).toBe(top);
        expect(r.ratios.data[j * 5 + c]).toBeCloseTo(top / k / (all / N), 12);
      }
    });
  });

  it('refuses bad codes, duplicate or unknown documents and out-of-range k', () => {
    expect(() => sourceOverRepresentation([0], [3], 2, [1])).toThrow(InvalidInputError);
    expect(() => sourceOverRepresentation([0, 0], [0, 1], 2, [1])).toThrow(/twice/);
    expect(() => sourceOverRepresentation([5], [0, 1], 2, [1])).toThrow(InvalidInputError);
    expect(() => sourceOverRepresentation([0, 1], [0, 1], 2, [3])).toThrow(InvalidInputError);
  });
});
