import { parseQueriesJsonl } from '../../src/influence/query-jsonl.parser';

describe('parseQueriesJsonl', () => {
  it('reads queries and world queries, skipping blank lines', () => {
    const text = [
      JSON.stringify({ id: 'q1', prompt: 'Velor: ', completion: 'Danu.', kind: 'FACTUAL', answerKeywords: ['Danu'], tags: ['capital'] }),
      '',
      JSON.stringify({
        id: 7,
        prompt: 'What is 2 + 3? ',
        completion: '2 + 3 = 5. The answer is 5.',
        kind: 'reasoning',
        answer: '5',
        task: 'two-step-arithmetic',
      }),
      JSON.stringify({ prompt: 'p', completion: 'c' }),
    ].join('\n');
    expect(parseQueriesJsonl(text, 'q.jsonl')).toEqual([
      { externalId: 'q1', prompt: 'Velor: ', completion: 'Danu.', kind: 'FACTUAL', answerKeywords: ['Danu'], tags: ['capital'] },
      {
        externalId: '7',
        prompt: 'What is 2 + 3? ',
        completion: '2 + 3 = 5. The answer is 5.',
        kind: 'REASONING',
        answerKeywords: ['5'],
        tags: ['two-step-arithmetic'],
      },
      { externalId: null, prompt: 'p', completion: 'c', kind: 'OTHER', answerKeywords: [], tags: [] },
    ]);
  });

  it('names the source and line of a bad line', () => {
    expect(() => parseQueriesJsonl('{"prompt":"a","completion":"b"}\n{oops', 'jsonl')).toThrow(/^jsonl:2: invalid JSON/);
    expect(() => parseQueriesJsonl('{"prompt":"a"}', 'f.jsonl')).toThrow('f.jsonl:1: "prompt" and "completion" must be strings');
    expect(() => parseQueriesJsonl('[1]', 'f.jsonl')).toThrow('f.jsonl:1: expected a JSON object');
    expect(() => parseQueriesJsonl('{"prompt":"a","completion":"b","kind":"opinion"}', 'f.jsonl')).toThrow(
      /f.jsonl:1: kind must be one of factual, reasoning, control, other/,
    );
  });
});
