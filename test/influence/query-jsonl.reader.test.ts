import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { readQueriesJsonl } from '../../src/influence/query-jsonl.reader';

function file(lines: string[]): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'tb-qjsonl-')), 'q.jsonl');
  writeFileSync(f, lines.join('\n'));
  return f;
}

describe('readQueriesJsonl', () => {
  it('reads the queries format (world queries included) as id, prompt and completion', () => {
    const f = file([
      JSON.stringify({ id: 'q1', prompt: 'Velor: ', completion: 'Danu.', kind: 'factual', answer: 'Danu' }),
      '',
      JSON.stringify({ id: 7, prompt: '', completion: 'x' }),
    ]);
    expect(readQueriesJsonl(f)).toEqual([
      { id: 'q1', prompt: 'Velor: ', completion: 'Danu.' },
      { id: '7', prompt: '', completion: 'x' },
    ]);
  });

  it.each([
    [['{"prompt":"a","completion":"b"}'], /q\.jsonl:1: missing "id"/],
    [['{"id":"a","prompt":"a","completion":"b"}', '{"id":"a","prompt":"c","completion":"d"}'], /q\.jsonl:2: duplicate query id a/],
    [['{"id":"a","prompt":"a","completion":""}'], /q\.jsonl:1: query a: completion is empty/],
    [['{"id":"a","prompt":"a"}'], /q\.jsonl:1: "prompt" and "completion" must be strings/],
    [['{"id":"a","prompt":"a","completion":"b","kind":"opinion"}'], /q\.jsonl:1: kind must be one of factual, reasoning, control, other/],
    [[''], /has no queries/],
  ])('refuses %j, naming the line', (lines, message) => {
    expect(() => readQueriesJsonl(file(lines))).toThrow(message);
  });
});
