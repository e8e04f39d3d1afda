import { expectedFinalAnswer, extractFinalAnswer } from '../../src/generation/final-answer.extractor';

describe('extractFinalAnswer', () => {
  const arith = '19 - 8 = 11. 11 * 7 = 77. The answer is 77.';
  it('reads the last "The answer is X." of a reasoning generation', () => {
    expect(extractFinalAnswer(arith, arith, '77')).toBe('77');
    expect(extractFinalAnswer('19 - 8 = 11. 11 * 7 = 78. The answer is 78.', arith, '77')).toBe('78');
    expect(extractFinalAnswer('The answer is 7. The answer is 77.', arith, '77')).toBe('77');
    expect(extractFinalAnswer('19 - 8 = 11. 11 * 7 = 77.', arith, '77')).toBeNull();
    // a prefix of the answer is not the full answer
    expect(extractFinalAnswer('The answer is 7', arith, '77')).toBeNull();
    expect(extractFinalAnswer('x. The answer is -3.', 'a. The answer is -3.', '-3')).toBe('-3');
  });

  it('reads the text before the first period of an answer-first (factual) generation', () => {
    const ref = 'Zeril. The capital of Pene is Zeril.';
    expect(extractFinalAnswer('Zeril. The capital of Pene is Zeril.', ref, 'Zeril')).toBe('Zeril');
    expect(extractFinalAnswer('Zerilo. The capital of Pene is Zerilo.', ref, 'Zeril')).toBe('Zerilo');
    expect(extractFinalAnswer('Zeril', ref, 'Zeril')).toBeNull();
  });

  it('falls back to the whole completion for other shapes', () => {
    expect(extractFinalAnswer(' yes ', 'yes', 'y')).toBe('yes');
    expect(expectedFinalAnswer('yes', 'y')).toBe('yes');
    expect(expectedFinalAnswer(arith, '77')).toBe('77');
  });
});
