import { parseDamping, parseFisher, parseQueryRank, parseStrategy } from '../../src/influence/influence-options.parser';
import { queryRankFor } from '../../src/influence/query-gradient.pipeline';
import { bucketLength } from '../../src/influence/sequence-batches';

describe('influence option parsing', () => {
  it('damping: auto is 0.1 × mean eigenvalue, relative:F and absolute:V as keyed, a bare number is absolute; anything else is refused', () => {
    expect(parseDamping('auto')).toEqual({ mode: 'relative', factor: 0.1 });
    expect(parseDamping('0.001')).toEqual({ mode: 'absolute', value: 0.001 });
    expect(parseDamping('relative:0.01')).toEqual({ mode: 'relative', factor: 0.01 });
    expect(parseDamping('absolute:2e-4')).toEqual({ mode: 'absolute', value: 0.0002 });
    for (const bad of ['0', '-1', 'x', '', 'NaN', 'Infinity', 'relative:', 'relative:0', 'absolute:-1', 'other:1'])
      expect(() => parseDamping(bad)).toThrow(/--damping must be auto, relative:F, absolute:V or a positive number/);
  });

  it('strategy, fisher and query ranks', () => {
    expect(parseStrategy('kfac')).toBe('kfac');
    expect(() => parseStrategy('EKFAC')).toThrow(/--strategy/);
    expect(parseFisher('empirical')).toBe('empirical');
    expect(() => parseFisher('true')).toThrow(/--fisher/);
    expect(parseQueryRank('auto')).toBe('auto');
    expect(parseQueryRank('8')).toBe(8);
    expect(() => parseQueryRank('0')).toThrow(/--rank/);
    expect(() => parseQueryRank('1e3')).toThrow(/--rank must be an integer ≥ 1 \(decimal digits only\), got "1e3"/);
  });

  it('auto query rank: exact up to 65536 entries, 32 beyond; a rank ≥ the layer’s rank is exact', () => {
    expect(queryRankFor('auto', 256, 256)).toBeUndefined();
    expect(queryRankFor('auto', 1024, 257)).toBe(32);
    expect(queryRankFor('exact', 4096, 4096)).toBeUndefined();
    expect(queryRankFor(8, 16, 65)).toBe(8);
    expect(queryRankFor(16, 16, 65)).toBeUndefined();
  });

  it('batch lengths come from a few buckets, capped at the context', () => {
    expect([1, 16, 17, 33, 100, 200].map((n) => bucketLength(n, 128))).toEqual([16, 16, 32, 64, 128, 128]);
  });
});
