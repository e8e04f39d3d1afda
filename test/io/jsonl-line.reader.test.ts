import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { readJsonlLines, type JsonlLine } from '../../src/io/jsonl-line.reader';

async function collect(content: Buffer | string, max = 1000): Promise<JsonlLine[]> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tb-jsonl-')), 'f.jsonl');
  writeFileSync(file, content);
  const out: JsonlLine[] = [];
  for await (const line of readJsonlLines(file, max)) out.push(line);
  return out;
}

describe('readJsonlLines', () => {
  it('numbers lines from 1, handles CRLF, skips empty lines and a missing final newline', async () => {
    const lines = await collect('a\r\n\nbb\nccc');
    expect(lines.map((l) => [l.lineNumber, l.bytes?.toString()])).toEqual([
      [1, 'a'],
      [3, 'bb'],
      [4, 'ccc'],
    ]);
  });

  it('reports an over-long line by its length without buffering it, and goes on', async () => {
    const lines = await collect(`ok\n${'x'.repeat(50)}\nfine\n`, 10);
    expect(lines).toEqual([
      { lineNumber: 1, bytes: Buffer.from('ok') },
      { lineNumber: 2, tooLong: 50 },
      { lineNumber: 3, bytes: Buffer.from('fine') },
    ]);
  });

  it('keeps lines whole across read chunks (1 MiB) and multi-byte characters intact', async () => {
    const long = 'é'.repeat(700_000); // 1.4 MB: spans chunk boundaries
    const lines = await collect(`${long}\nend\n`, 2_000_000);
    expect(lines[0]!.bytes!.toString('utf8')).toBe(long);
    expect(lines[1]!.bytes!.toString()).toBe('end');
  });
});
