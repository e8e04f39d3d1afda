import { deriveSeed, fnv1a64, Mulberry32, SeededRandom, splitMix64 } from '../../src/math/seeded-random';
import { mulberry32 } from '../support/seeded-random';

describe('SeededRandom', () => {
  it('implements xoshiro128** (reference outputs for the state 1, 2, 3, 4)', () => {
    const rng = SeededRandom.fromState([1, 2, 3, 4]);
    // First outputs of the reference C implementation: rotl(s1 * 5, 7) * 9 on the evolving state.
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('implements FNV-1a 64 and SplitMix64 (published test values)', () => {
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    // SplitMix64 seeded with 0: first output 0xe220a8397b1dcdaf.
    expect(splitMix64(0n).value).toBe(0xe220a8397b1dcdafn);
  });

  it('gives equal streams for equal seed and label, different ones otherwise', () => {
    const draw = (rng: SeededRandom) => Array.from({ length: 8 }, () => rng.nextUint32());
    expect(draw(new SeededRandom(5, 'x'))).toEqual(draw(new SeededRandom(5, 'x')));
    expect(draw(new SeededRandom(5, 'x'))).not.toEqual(draw(new SeededRandom(6, 'x')));
    expect(draw(new SeededRandom(5, 'x'))).not.toEqual(draw(new SeededRandom(5, 'y')));
  });

  it('forks streams that do not depend on draws from the parent or siblings', () => {
    const a = new SeededRandom(1);
    const first = a.fork('child').nextUint32();
    a.nextUint32();
    a.fork('other').nextUint32();
    expect(a.fork('child').nextUint32()).toBe(first);
    expect(new SeededRandom(1, 'child').nextUint32()).toBe(first);
  });

  it('draws integers within inclusive bounds, covering every value', () => {
    const rng = new SeededRandom(3, 'ints');
    const counts = new Map<number, number>();
    for (let i = 0; i < 7000; i += 1) {
      const v = rng.int(-3, 3);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((x, y) => x - y)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(c).toBeGreaterThan(850);
    expect(() => rng.int(2, 1)).toThrow(RangeError);
  });

  it('shuffles into a permutation and samples distinct items', () => {
    const rng = new SeededRandom(9);
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = rng.shuffle(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    const sample = rng.sample(items, 5);
    expect(new Set(sample).size).toBe(5);
    expect(() => rng.sample(items, 21)).toThrow(RangeError);
  });
});

describe('Mulberry32', () => {
  it('draws the mulberry32 sequence of the independent test implementation', () => {
    for (const seed of [0, 1, 123456789, 2 ** 32 - 1]) {
      const rng = new Mulberry32(seed);
      const reference = mulberry32(seed);
      expect(Array.from({ length: 16 }, () => rng.next())).toEqual(Array.from({ length: 16 }, () => reference()));
    }
  });

  it('resumes from a stored state exactly', () => {
    const a = new Mulberry32(deriveSeed(5, 'data/0'));
    a.next();
    const saved = a.state;
    const expected = [a.next(), a.normal(), a.gumbel(), a.below(10)];
    const b = new Mulberry32(0);
    b.state = saved;
    expect([b.next(), b.normal(), b.gumbel(), b.below(10)]).toEqual(expected);
    expect(deriveSeed(5, 'data/0')).not.toBe(deriveSeed(5, 'data/1'));
  });

  it('permutes 0..n-1', () => {
    const p = new Mulberry32(3).permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
