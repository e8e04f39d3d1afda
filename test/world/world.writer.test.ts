import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { WorldAlreadyExistsError, WorldOutputNotDirectoryError } from '../../src/world/world.errors';
import { writeWorldFiles } from '../../src/world/world.writer';

const FILES = { 'corpus.jsonl': '{"id":"a"}\n', 'queries.jsonl': '{"id":"q"}\n', 'manifest.json': '{"seed":1}\n' };

describe('writeWorldFiles', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tracebase-world-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('creates the directory and writes every file, leaving no temporary file', async () => {
    const dir = path.join(root, 'nested', 'world');
    await writeWorldFiles(dir, FILES);
    expect((await fs.readdir(dir)).sort()).toEqual(['corpus.jsonl', 'manifest.json', 'queries.jsonl']);
    for (const [name, text] of Object.entries(FILES)) expect(await fs.readFile(path.join(dir, name), 'utf8')).toBe(text);
  });

  it('refuses to overwrite a world without force, changing nothing, and overwrites with force', async () => {
    await writeWorldFiles(root, FILES);
    const other = { ...FILES, 'corpus.jsonl': 'other\n' };
    await expect(writeWorldFiles(root, other)).rejects.toThrow(WorldAlreadyExistsError);
    await expect(writeWorldFiles(root, other)).rejects.toThrow(/already holds a world .*--force/);
    expect(await fs.readFile(path.join(root, 'corpus.jsonl'), 'utf8')).toBe(FILES['corpus.jsonl']);
    await writeWorldFiles(root, other, { force: true });
    expect(await fs.readFile(path.join(root, 'corpus.jsonl'), 'utf8')).toBe('other\n');
  });

  it('treats a single leftover world file as a world', async () => {
    await fs.writeFile(path.join(root, 'queries.jsonl'), 'x\n');
    await expect(writeWorldFiles(root, FILES)).rejects.toThrow('queries.jsonl');
  });

  it('writes into a directory holding unrelated files', async () => {
    await fs.writeFile(path.join(root, 'notes.txt'), 'keep\n');
    await writeWorldFiles(root, FILES);
    expect(await fs.readFile(path.join(root, 'notes.txt'), 'utf8')).toBe('keep\n');
  });

  it('rejects an output path that is a file', async () => {
    const file = path.join(root, 'file');
    await fs.writeFile(file, 'x');
    await expect(writeWorldFiles(file, FILES)).rejects.toThrow(WorldOutputNotDirectoryError);
  });

  it('leaves nothing behind when a write fails part-way', async () => {
    const failing = { 'corpus.jsonl': 'ok\n', 'missing-dir/queries.jsonl': 'fails\n', 'manifest.json': '{}\n' };
    await expect(writeWorldFiles(root, failing)).rejects.toThrow();
    expect(await fs.readdir(root)).toEqual([]);
  });
});
