import { rerankCandidates, normalizedScore } from '../../src/services/influence-search.service';

describe('rerankCandidates', () => {
  it('reranks max(10k, 200) candidates, at most 10 000, when the sketch is a sub-block of the full vector', () => {
    expect(rerankCandidates(1, false)).toBe(200);
    expect(rerankCandidates(100, false)).toBe(1000);
    expect(rerankCandidates(1000, false)).toBe(10_000);
  });

  it('reranks max(2k, k + 50) candidates when the sketch is the whole vector (only half-precision near-ties to resolve)', () => {
    expect(rerankCandidates(1, true)).toBe(51);
    expect(rerankCandidates(100, true)).toBe(200);
    expect(rerankCandidates(1000, true)).toBe(2000);
  });
});

describe('normalizedScore', () => {
  it('divides by the gradient norm, and gives 0 for a document without a gradient', () => {
    expect(normalizedScore(6, 3)).toBe(2);
    expect(normalizedScore(-6, 4)).toBe(-1.5);
    expect(normalizedScore(5, 0)).toBe(0);
  });
});
