import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { applyMigrations } from '../../src/db/migration-runner';
import { createServices, type Services } from '../../src/services/service-container';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

function jsonl(lines: (object | string)[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tb-corpus-')), 'corpus.jsonl');
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

describe.each(testBackends())('corpus import on %s', (kind) => {
  let scratch: ScratchDatabase;
  let services: Services;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
  });
  afterAll(() => scratch.drop());

  const docs = Array.from({ length: 23 }, (_, i) => ({ id: `d${i}`, text: `document ${i}`, source: i % 2 ? 'code' : 'wiki', extra: i }));

  it('stores valid lines in batches, reports rejected lines by number, and stores the report', async () => {
    const file = jsonl([...docs.slice(0, 10), '{"text": "no id"}', 'garbage', ...docs.slice(10), { id: 'd3', text: 'dup in batch' }]);
    const summary = await services.corpusImport.importFile('c1', file, { batchSize: 5 });
    expect(summary).toMatchObject({ lines: 26, accepted: 23, rejected: 2, unchanged: 0, conflicts: 1, documentCount: 23 });
    // line 26 repeats id d3 in a later batch with another text: a conflict, not an overwrite
    expect(summary.report.map((r) => [r.line, r.reason])).toEqual([
      [11, 'missing "id"'],
      [12, expect.stringContaining('invalid JSON')],
      [26, 'a document with id "d3" is already stored with a different text; not overwritten'],
    ]);
    const stored = await scratch.db.prisma.document.findMany({ where: { corpusId: summary.corpusId }, orderBy: { id: 'asc' } });
    expect(stored.map((d) => d.externalId)).toEqual(docs.map((d) => d.id));
    expect(stored.find((d) => d.externalId === 'd3')!.text).toBe('document 3');
    expect(stored[1]!.metadata).toEqual({ extra: 1 });
    expect(stored[1]!.source).toBe('code');
    const record = await scratch.db.prisma.corpusImport.findUniqueOrThrow({ where: { id: summary.importId } });
    expect(record).toMatchObject({ accepted: 23, rejected: 2, conflicts: 1, unchanged: 0 });
    expect(record.finishedAt).not.toBeNull();
    expect(record.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((record.report as unknown[]).length).toBe(3);
    const corpus = await scratch.db.prisma.corpus.findUniqueOrThrow({ where: { id: summary.corpusId } });
    expect(corpus.documentCount).toBe(23);
  });

  it('re-importing the same file changes nothing', async () => {
    const file = jsonl(docs);
    const before = await scratch.db.prisma.document.findMany({ where: { corpus: { name: 'c1' } }, orderBy: { id: 'asc' } });
    const summary = await services.corpusImport.importFile('c1', file, { batchSize: 7 });
    expect(summary).toMatchObject({ accepted: 0, unchanged: 23, conflicts: 0, rejected: 0, documentCount: 23 });
    const after = await scratch.db.prisma.document.findMany({ where: { corpus: { name: 'c1' } }, orderBy: { id: 'asc' } });
    expect(after).toEqual(before);
  });

  it('reports a changed text for a stored id as a conflict and keeps the stored text', async () => {
    const file = jsonl([
      { id: 'd5', text: 'a new text' },
      { id: 'new', text: 'brand new' },
    ]);
    const summary = await services.corpusImport.importFile('c1', file);
    expect(summary).toMatchObject({ accepted: 1, conflicts: 1, documentCount: 24 });
    const d5 = await scratch.db.prisma.document.findFirstOrThrow({ where: { externalId: 'd5', corpus: { name: 'c1' } } });
    expect(d5.text).toBe('document 5');
  });

  it('caps the stored report but counts every rejection', async () => {
    const file = jsonl(Array.from({ length: 30 }, () => '{"bad": true}'));
    const summary = await services.corpusImport.importFile('c2', file, { maxReportEntries: 4, batchSize: 8 });
    expect(summary.rejected).toBe(30);
    expect(summary.report.map((r) => r.line)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a missing file and a bad corpus name before writing anything', async () => {
    await expect(services.corpusImport.importFile('c3', '/no/such/file.jsonl')).rejects.toThrow(/cannot read corpus file \/no\/such\/file.jsonl/);
    await expect(services.corpusImport.importFile('bad name!', jsonl(docs))).rejects.toThrow(/corpus name "bad name!"/);
    expect(await scratch.db.prisma.corpus.findUnique({ where: { name: 'c3' } })).toBeNull();
  });

  it('rejects lines holding U+0000 or unpaired surrogates by line number and imports every valid line around them', async () => {
    const lines: (object | string)[] = Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, text: `nul test ${i}` }));
    lines[6] = { id: 'n6', text: 'has a \u0000 inside' };
    lines[13] = { id: 'n13', text: 'fine', metadata: { note: 'bad \u0000' } };
    lines[17] = { id: 'n17', text: 'fine', metadata: { note: 'x\ud800' } };
    lines[21] = 'garbage\u0000 with a raw NUL';
    lines[24] = { id: 'n24\u0000', text: '' };
    const summary = await services.corpusImport.importFile('nul', jsonl(lines), { batchSize: 4 });
    expect(summary).toMatchObject({ lines: 30, accepted: 25, rejected: 5, conflicts: 0, documentCount: 25 });
    expect(summary.report.map((r) => [r.line, r.reason.replace(/[,:].*$/, '')])).toEqual([
      [7, '"text" contains U+0000 (NUL)'],
      [14, '"metadata" contains U+0000 (NUL)'],
      [18, '"metadata" contains an unpaired UTF-16 surrogate (\\ud800)'],
      [22, 'invalid JSON'],
      [25, '"id" contains U+0000 (NUL)'],
    ]);
    const stored = await scratch.db.prisma.document.findMany({ where: { corpusId: summary.corpusId }, orderBy: { id: 'asc' } });
    expect(stored.map((d) => d.externalId)).toEqual(
      Array.from({ length: 30 }, (_, i) => `n${i}`).filter((id) => !['n6', 'n13', 'n17', 'n21', 'n24'].includes(id)),
    );
    const record = await scratch.db.prisma.corpusImport.findUniqueOrThrow({ where: { id: summary.importId } });
    expect(record).toMatchObject({ accepted: 25, rejected: 5 });
    expect((record.report as { line: number }[]).map((r) => r.line)).toEqual([7, 14, 18, 22, 25]);
  });

  it('refuses a file without a non-blank line and creates no corpus; checkFile counts without writing', async () => {
    await expect(services.corpusImport.importFile('blank', jsonl(['', ' ']))).rejects.toThrow(/holds no documents/);
    expect(await scratch.db.prisma.corpus.findUnique({ where: { name: 'blank' } })).toBeNull();
    const seen: number[] = [];
    const check = await services.corpusImport.checkFile(jsonl([...docs.slice(0, 3), '{"id": 1, "text": "\u0000"}']), {
      onRejected: (r) => seen.push(r.line),
    });
    expect(check).toEqual({ lines: 4, documents: 3, rejected: 1 });
    expect(seen).toEqual([4]);
  });
});
