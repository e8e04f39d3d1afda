import { judgeAnswer } from '../../src/services/model-answer.service';

describe('judgeAnswer', () => {
  const reasoning = '19 - 8 = 11. 11 * 7 = 77. The answer is 77.';
  const keywords = ['19 - 8 = 11', '11 * 7 = 77', '77'];

  it('reads a reasoning generation’s last "The answer is X." against the answer keyword the completion ends with', () => {
    expect(judgeAnswer(reasoning, reasoning, keywords)).toBe(true);
    expect(judgeAnswer('19 - 8 = 11. 11 * 7 = 78. The answer is 78.', reasoning, keywords)).toBe(false);
    expect(judgeAnswer('19 - 8 = 11. 11 * 7 = 77.', reasoning, keywords)).toBe(false);
    // the keyword order does not matter: the one the completion states is the answer
    expect(judgeAnswer(reasoning, reasoning, ['77', '19 - 8 = 11'])).toBe(true);
  });

  it('reads an answer-first (factual) generation up to its first period', () => {
    const factual = 'Zeril. The capital of Pene is Zeril.';
    expect(judgeAnswer('Zeril. Whatever follows.', factual, ['Zeril'])).toBe(true);
    expect(judgeAnswer('Zerilo. The capital of Pene is Zerilo.', factual, ['Zeril'])).toBe(false);
    expect(judgeAnswer('Zeril', factual, ['Zeril'])).toBe(false);
  });

  it('is undecidable without answer keywords, or when the completion states none of them as its answer', () => {
    expect(judgeAnswer('anything', 'Danu 3', [])).toBeNull();
    expect(judgeAnswer('Danu 3', 'Danu 3', ['Danu'])).toBeNull();
    expect(judgeAnswer('x', 'x', [''])).toBeNull();
  });
});
