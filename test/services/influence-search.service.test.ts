import { rerankCandidates, normalizedScore, wholeSketchRerankPool } from '../../src/services/influence-search.service';

describe('rerankCandidates', () => {
  it('reranks max(10k, 200) candidates, at most 10 000', () => {
    expect(rerankCandidates(1)).toBe(200);
    expect(rerankCandidates(100)).toBe(1000);
    expect(rerankCandidates(1000)).toBe(10_000);
  });
});

describe('normalizedScore', () => {
  it('divides by the gradient norm, and gives 0 for a document without a gradient', () => {
    expect(normalizedScore(6, 3)).toBe(2);
    expect(normalizedScore(-6, 4)).toBe(-1.5);
    expect(normalizedScore(5, 0)).toBe(0);
  });
});

describe('wholeSketchRerankPool', () => {
  it('reranks max(2k, k + 100) of the candidates when the sketch is the whole vector', () => {
    expect(wholeSketchRerankPool(1)).toBe(101);
    expect(wholeSketchRerankPool(100)).toBe(200);
    expect(wholeSketchRerankPool(1000)).toBe(2000);
  });
});
