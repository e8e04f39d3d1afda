import { Command } from 'commander';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { registerWorldCommands } from '../../src/cli/commands/world.command';
import { InvalidWorldSeedError, UnknownWorldSizeError, WorldAlreadyExistsError } from '../../src/world/world.errors';

function program(): Command {
  const p = new Command('tracebase').exitOverride();
  registerWorldCommands(p);
  return p;
}

async function run(args: string[]): Promise<void> {
  await program().parseAsync(['node', 'tracebase', 'world', 'generate', ...args]);
}

describe('tracebase world generate', () => {
  let root: string;
  let write: jest.SpyInstance;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tracebase-world-cli-'));
    write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(async () => {
    write.mockRestore();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('writes a demo world and reports its counts; the same seed gives the same bytes', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await run(['--seed', '5', '--out', a]);
    await run(['--seed', '5', '--out', b, '--size', 'demo']);
    expect(String(write.mock.calls[0]?.[0])).toMatch(/2500 documents, 120 queries \(40 factual, 60 reasoning, 20 control\)/);
    for (const name of ['corpus.jsonl', 'queries.jsonl', 'manifest.json']) {
      expect((await fs.readFile(path.join(a, name))).equals(await fs.readFile(path.join(b, name)))).toBe(true);
    }
    const manifest = JSON.parse(await fs.readFile(path.join(a, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ seed: 5, size: 'demo', counts: { documents: 2500, queries: 120 } });
    const lines = (await fs.readFile(path.join(a, 'corpus.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2500);
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual(['id', 'text', 'source', 'metadata']);
  }, 180_000); // two demo worlds: under a second of CPU, but minutes on a shared machine

  it('rejects bad input with named errors and overwrites only with --force', async () => {
    const dir = path.join(root, 'w');
    await expect(run(['--seed', 'x1', '--out', dir])).rejects.toThrow(InvalidWorldSeedError);
    await expect(run(['--seed', '1', '--out', dir, '--size', 'big'])).rejects.toThrow(UnknownWorldSizeError);
    await expect(fs.readdir(dir)).rejects.toThrow();
    await run(['--seed', '1', '--out', dir]);
    const before = await fs.readFile(path.join(dir, 'corpus.jsonl'));
    await expect(run(['--seed', '2', '--out', dir])).rejects.toThrow(WorldAlreadyExistsError);
    expect((await fs.readFile(path.join(dir, 'corpus.jsonl'))).equals(before)).toBe(true);
    await run(['--seed', '2', '--out', dir, '--force']);
    expect((await fs.readFile(path.join(dir, 'corpus.jsonl'))).equals(before)).toBe(false);
  }, 180_000); // two demo worlds: under a second of CPU, but minutes on a shared machine
});
