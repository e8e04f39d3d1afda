import { RankingCache } from '../../src/services/ranking-cache';

describe('RankingCache', () => {
  it('answers only under the stamp an entry was stored with, and drops a stale entry', () => {
    const cache = new RankingCache<number>(4);
    cache.set('q1', 'v1', 10);
    expect(cache.get('q1', 'v1')).toBe(10);
    expect(cache.get('q1', 'v2')).toBeUndefined();
    // the stale entry is gone even for its old stamp
    expect(cache.get('q1', 'v1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new RankingCache<string>(2);
    cache.set('a', 's', 'A');
    cache.set('b', 's', 'B');
    expect(cache.get('a', 's')).toBe('A'); // a is now the most recent
    cache.set('c', 's', 'C');
    expect(cache.get('b', 's')).toBeUndefined();
    expect(cache.get('a', 's')).toBe('A');
    expect(cache.get('c', 's')).toBe('C');
    expect(cache.size).toBe(2);
  });

  it('stores nothing with capacity 0 and refuses a negative capacity', () => {
    const off = new RankingCache<number>(0);
    off.set('a', 's', 1);
    expect(off.get('a', 's')).toBeUndefined();
    expect(() => new RankingCache<number>(-1)).toThrow(/capacity/);
  });
});
