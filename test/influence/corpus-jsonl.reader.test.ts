import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseCorpusLine, readCorpusFile } from '../../src/influence/corpus-jsonl.reader';
import { corpusHash } from '../../src/influence/corpus.hash';
import { CorpusLineError } from '../../src/influence/influence.errors';

const dir = mkdtempSync(join(tmpdir(), 'tb-corpus-'));
function file(name: string, lines: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n'));
  return p;
}

describe('corpus JSONL reader', () => {
  it('streams documents in order, skipping blank lines, keeping line numbers and source, up to maxDocs', async () => {
    const p = file('ok.jsonl', ['{"id":"a","text":"one","source":"wiki"}', '', '{"id":7,"text":"two"}', '{"id":"c","text":"three"}']);
    const docs = await readCorpusFile(p);
    expect(docs).toEqual([
      { id: 'a', text: 'one', line: 1, source: 'wiki' },
      { id: '7', text: 'two', line: 3 },
      { id: 'c', text: 'three', line: 4 },
    ]);
    expect((await readCorpusFile(p, { maxDocs: 2 })).map((d) => d.id)).toEqual(['a', '7']);
  });

  it.each([
    ['{"text":"x"}', /bad\.jsonl:2: missing "id"/],
    ['{"id":"b"}', /bad\.jsonl:2: document b: missing "text"/],
    ['{"id":"b","text":""}', /bad\.jsonl:2: document b: "text" is empty/],
    ['{"id":"b","text":3}', /bad\.jsonl:2: document b: "text" must be a string/],
    ['{"id":"a","text":"dup"}', /bad\.jsonl:2: duplicate id a/],
    ['{"id":', /bad\.jsonl:2: not valid JSON/],
    ['[1]', /bad\.jsonl:2: expected a JSON object/],
  ])('refuses %s naming the line', async (line, msg) => {
    const p = file('bad.jsonl', ['{"id":"a","text":"fine"}', line]);
    const err = await readCorpusFile(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusLineError);
    expect((err as Error).message).toMatch(msg);
    expect((err as CorpusLineError).line).toBe(2);
  });

  it('a missing file is a clear error; blank lines parse to nothing', async () => {
    await expect(readCorpusFile(join(dir, 'nope.jsonl'))).rejects.toThrow(/corpus file .*nope\.jsonl does not exist/);
    expect(parseCorpusLine('   ', 1, 'f')).toBeUndefined();
  });

  it('corpus hash depends on ids, texts and order only', () => {
    const a = corpusHash([{ id: 'a', text: 'x' }, { id: 'b', text: 'y' }]);
    expect(corpusHash([{ id: 'a', text: 'x' }, { id: 'b', text: 'y' }])).toBe(a);
    expect(corpusHash([{ id: 'b', text: 'y' }, { id: 'a', text: 'x' }])).not.toBe(a);
    expect(corpusHash([{ id: 'a', text: 'xb' }, { id: '', text: 'y' }])).not.toBe(a);
  });
});
