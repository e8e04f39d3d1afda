import { topK } from '../../../src/math/statistics/top-k.selection';
import { InvalidInputError } from '../../../src/errors/tracebase.error';
import { NonFiniteValueError } from '../../../src/math/math.error';
import { testRandom } from '../support/naive';

function naiveTop(x: number[], k: number, dir: 1 | -1): number[] {
  return x
    .map((v, i) => [v, i] as const)
    .sort((a, b) => dir * (b[0] - a[0]) || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

describe('topK', () => {
  it('agrees with a full sort (ties by lower index) for both signs and many k', () => {
    const rand = testRandom(12);
    for (const n of [0, 1, 7, 100, 5000]) {
      const x = Array.from({ length: n }, () => Math.round((rand() - 0.5) * 50) / 5); // many ties
      for (const k of [0, 1, 3, 50, n, n + 10]) {
        const pos = topK(Float64Array.from(x), k, 'positive');
        expect(Array.from(pos.indices)).toEqual(naiveTop(x, k, 1));
        expect(Array.from(pos.scores)).toEqual(naiveTop(x, k, 1).map((i) => x[i]));
        expect(Array.from(topK(x, k, 'negative').indices)).toEqual(naiveTop(x, k, -1));
      }
    }
  });

  it('strictSign keeps only scores of the requested sign', () => {
    const x = [0.5, -1, 0, 2, -3, 0.1];
    expect(Array.from(topK(x, 10, 'positive', { strictSign: true }).indices)).toEqual([3, 0, 5]);
    expect(Array.from(topK(x, 10, 'negative', { strictSign: true }).indices)).toEqual([4, 1]);
    expect(Array.from(topK(x, 1, 'negative', { strictSign: true }).scores)).toEqual([-3]);
    expect(Array.from(topK(x, 10, 'negative').indices)).toEqual([4, 1, 2, 5, 0, 3]);
  });

  it('refuses NaN scores and bad k', () => {
    expect(() => topK([1, NaN], 1)).toThrow(NonFiniteValueError);
    expect(() => topK([1, 2], -1)).toThrow(InvalidInputError);
    expect(() => topK([1, 2], 1.5)).toThrow(InvalidInputError);
  });
});
