import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readCorpusFile } from '../../src/influence/corpus-jsonl.reader';
import { parseCorpusLine } from '../../src/io/corpus-line.parser';
import { corpusHash } from '../../src/influence/corpus.hash';
import { CorpusLineError } from '../../src/influence/influence.errors';

const dir = mkdtempSync(join(tmpdir(), 'tb-corpus-'));
function file(name: string, lines: string[], eol = '\n'): string {
  const p = join(dir, name);
  writeFileSync(p, lines.join(eol));
  return p;
}

describe('corpus JSONL reader', () => {
  it('streams documents in order, skipping blank lines, keeping line numbers and source, up to maxDocs', async () => {
    const lines = ['{"id":"a","text":"one","source":"wiki"}', '', '{"id":7,"text":"two"}', '   ', '{"id":"c","text":"three"}'];
    const docs = await readCorpusFile(file('ok.jsonl', lines));
    expect(docs).toEqual([
      { id: 'a', text: 'one', line: 1, source: 'wiki' },
      { id: '7', text: 'two', line: 3, source: 'unknown' },
      { id: 'c', text: 'three', line: 5, source: 'unknown' },
    ]);
    expect(await readCorpusFile(file('crlf.jsonl', lines, '\r\n'))).toEqual(docs);
    expect((await readCorpusFile(file('ok.jsonl', lines), { maxDocs: 2 })).map((d) => d.id)).toEqual(['a', '7']);
  });

  it.each([
    ['{"text":"x"}', 'bad.jsonl:2: missing "id"'],
    ['{"id":"b"}', 'bad.jsonl:2: document b: missing "text"'],
    ['{"id":"b","text":""}', 'bad.jsonl:2: document b: empty "text"'],
    ['{"id":"b","text":3}', 'bad.jsonl:2: document b: "text" must be a string, got number'],
    ['{"id":1.5,"text":"x"}', 'bad.jsonl:2: "id" must be a string or an integer, got number'],
    ['{"id":"b","text":"x","source":""}', 'bad.jsonl:2: document b: "source" must be a non-empty string'],
    ['{"id":"a","text":"dup"}', 'bad.jsonl:2: duplicate id "a" (first on line 1)'],
    ['{"id":', 'bad.jsonl:2: invalid JSON: '],
    ['[1]', 'bad.jsonl:2: not a JSON object'],
  ])('refuses %s naming the line', async (line, msg) => {
    const p = file('bad.jsonl', ['{"id":"a","text":"fine"}', line]);
    const err = await readCorpusFile(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusLineError);
    expect((err as Error).message).toContain(msg);
    expect((err as CorpusLineError).line).toBe(2);
  });

  it('refuses what corpus import rejects, with the same reason: invalid UTF-8, texts over the byte limit', async () => {
    const p = join(dir, 'bytes.jsonl');
    writeFileSync(p, Buffer.concat([Buffer.from('{"id":"a","text":"fine"}\n'), Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from('\n')]));
    await expect(readCorpusFile(p)).rejects.toThrow('bytes.jsonl:2: invalid UTF-8');
    const long = file('long.jsonl', ['{"id":"a","text":"0123456789"}']);
    await expect(readCorpusFile(long, { maxTextBytes: 9 })).rejects.toThrow('long.jsonl:1: document a: "text" is 10 bytes; the limit is 9');
    expect((await readCorpusFile(long, { maxTextBytes: 10 })).length).toBe(1);
    const huge = file('huge.jsonl', [JSON.stringify({ id: 'a', text: 'x'.repeat(70_000) })]);
    await expect(readCorpusFile(huge, { maxTextBytes: 1 })).rejects.toThrow(/huge\.jsonl:1: line is 70\d{3} bytes, longer than any accepted document/);
  });

  it('a missing file is a clear error; blank lines parse to nothing', async () => {
    await expect(readCorpusFile(join(dir, 'nope.jsonl'))).rejects.toThrow(/corpus file .*nope\.jsonl does not exist/);
    expect(parseCorpusLine(1, '   ')).toBeUndefined();
  });

  it('corpus hash depends on ids, texts and order only', () => {
    const a = corpusHash([
      { id: 'a', text: 'x' },
      { id: 'b', text: 'y' },
    ]);
    expect(
      corpusHash([
        { id: 'a', text: 'x' },
        { id: 'b', text: 'y' },
      ]),
    ).toBe(a);
    expect(
      corpusHash([
        { id: 'b', text: 'y' },
        { id: 'a', text: 'x' },
      ]),
    ).not.toBe(a);
    expect(
      corpusHash([
        { id: 'a', text: 'xb' },
        { id: '', text: 'y' },
      ]),
    ).not.toBe(a);
  });
});
