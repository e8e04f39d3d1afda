import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CorruptWorldError, WorldNotFoundError } from '../../src/world/world.errors';
import { readWorld } from '../../src/world/world.reader';
import { serializeWorld } from '../../src/world/world.serializer';
import { writeWorldFiles } from '../../src/world/world.writer';
import { worldFor } from './world.fixture';

describe('readWorld', () => {
  let root: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tracebase-world-read-'));
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('reads back exactly what was generated', async () => {
    const world = worldFor(4, 'demo');
    const dir = path.join(root, 'ok');
    await writeWorldFiles(dir, serializeWorld(world));
    const loaded = await readWorld(dir);
    expect(loaded.documents).toEqual(world.documents);
    expect(loaded.queries).toEqual(world.queries);
    expect(loaded.manifest.seed).toBe(4);
  }, 180_000); // generates a demo world: under a second of CPU, but minutes on a shared machine

  it('names a missing world and a corrupted file', async () => {
    await expect(readWorld(path.join(root, 'nothing'))).rejects.toThrow(WorldNotFoundError);
    const dir = path.join(root, 'bad');
    await writeWorldFiles(dir, serializeWorld(worldFor(4, 'demo')));
    await fs.appendFile(path.join(dir, 'corpus.jsonl'), '{"id":"extra"}\n');
    await expect(readWorld(dir)).rejects.toThrow(CorruptWorldError);
    await expect(readWorld(dir)).rejects.toThrow(/corpus\.jsonl is corrupt: its size or SHA-256 differs/);
  });

  it('replaces the manifest last when overwriting, so it always matches the data', async () => {
    const dir = path.join(root, 'force');
    await writeWorldFiles(dir, serializeWorld(worldFor(4, 'demo')));
    await writeWorldFiles(dir, serializeWorld(worldFor(7, 'demo')), { force: true });
    expect((await readWorld(dir)).manifest.seed).toBe(7);
  });
});
