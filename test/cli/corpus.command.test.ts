import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Command } from 'commander';

import { EXIT_LINES_REJECTED, registerCorpusCommands } from '../../src/cli/commands/corpus.command';
import { applyMigrations } from '../../src/db/migration-runner';
import { openPgliteDatabase } from '../../src/db/pglite.database';

// the commands run in this process on an embedded database in a temporary directory
jest.setTimeout(120_000);

const work = mkdtempSync(path.join(tmpdir(), 'tb-corpus-cli-'));
const dataDir = path.join(work, 'db');

async function cli(args: string[]): Promise<{ out: string; err: string; status: number }> {
  const program = new Command('tracebase').exitOverride();
  registerCorpusCommands(program);
  let out = '';
  let err = '';
  const outSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += chunk.toString()), true));
  const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += chunk.toString()), true));
  process.exitCode = undefined;
  let status: number;
  try {
    await program.parseAsync([...args, '--data-dir', dataDir], { from: 'user' });
    status = Number(process.exitCode ?? 0);
  } catch (error) {
    err += (error as Error).message;
    status = -1;
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
    process.exitCode = undefined;
  }
  return { out, err, status };
}

function file(name: string, lines: (object | string)[]): string {
  const f = path.join(work, name);
  writeFileSync(f, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + (lines.length ? '\n' : ''));
  return f;
}

async function documentCount(corpus: string): Promise<number | undefined> {
  const listed = JSON.parse((await cli(['corpus', 'list', '--json'])).out) as { name: string; documentCount: number }[];
  return listed.find((c) => c.name === corpus)?.documentCount;
}

describe('tracebase corpus import / list', () => {
  const savedUrl = process.env.DATABASE_URL;
  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    const db = await openPgliteDatabase(dataDir);
    await applyMigrations(db.sql);
    await db.close();
  });
  afterAll(() => {
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
  });

  const good = Array.from({ length: 12 }, (_, i) => ({ id: `g${i}`, text: `good ${i}` }));
  const withBad = [...good.slice(0, 5), { id: 'bad1', text: 'nul \u0000 here' }, ...good.slice(5), '{"id": "bad2"}'];

  it('lists no corpora on a fresh database', async () => {
    expect((await cli(['corpus', 'list'])).out).toMatch(/no corpora yet/);
  });

  it('refuses an empty file with status 2 and creates no corpus', async () => {
    for (const lines of [[], ['', '   ']]) {
      const result = await cli(['corpus', 'import', '--name', 'empty', file('empty.jsonl', lines)]);
      expect(result.status).toBe(-1);
      expect(result.err).toMatch(/holds no documents/);
    }
    expect(await documentCount('empty')).toBeUndefined();
  });

  it(`exits ${EXIT_LINES_REJECTED} and imports nothing when a line is rejected; --rejects writes every rejected line with its reason`, async () => {
    const rejects = path.join(work, 'rejects.jsonl');
    const result = await cli(['corpus', 'import', '--name', 'strict', '--rejects', rejects, file('bad.jsonl', withBad)]);
    expect(EXIT_LINES_REJECTED).toBe(3);
    expect(result.status).toBe(EXIT_LINES_REJECTED);
    expect(result.err).toMatch(/2 of 14 documents .* rejected; nothing was imported/);
    expect(result.err).toMatch(/line 6: "text" contains U\+0000/);
    expect(result.err).toMatch(/--allow-rejects/);
    expect(await documentCount('strict')).toBeUndefined();
    const written = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string; id?: string; content: string });
    expect(written.map((r) => [r.line, r.id])).toEqual([
      [6, 'bad1'],
      [14, 'bad2'],
    ]);
    expect(JSON.parse(written[0]!.content)).toEqual({ id: 'bad1', text: 'nul \u0000 here' });
    expect(written[1]!.reason).toBe('missing "text"');
  });

  it('with --allow-rejects imports the valid lines, reports the rejected ones and exits 0', async () => {
    const result = await cli(['corpus', 'import', '--name', 'lenient', '--allow-rejects', file('bad.jsonl', withBad)]);
    expect(result.status).toBe(0);
    expect(result.out).toMatch(/14 lines: 12 new, 0 unchanged, 0 conflicting, 2 rejected/);
    expect(result.out).toMatch(/line 14: missing "text"/);
    expect(await documentCount('lenient')).toBe(12);
  });

  it('a clean file exits 0 and shows in corpus list with a header', async () => {
    const result = await cli(['corpus', 'import', '--name', 'clean', file('good.jsonl', good)]);
    expect(result.status).toBe(0);
    const listed = (await cli(['corpus', 'list'])).out.split('\n');
    expect(listed[0]).toMatch(/^ID\s+NAME\s+DOCUMENTS\s+CREATED/);
    expect(listed.some((l) => /^\d+\s+clean\s+12\s/.test(l))).toBe(true);
  });
});
