import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { CorruptWorldError, WorldNotFoundError } from './world.errors';
import { WorldManifest } from './world-manifest.builder';
import { WORLD_FILES } from './world.serializer';
import { WORLD_SOURCES, WorldDocument, WorldQuery } from './world.types';

/** A world read back from its directory. */
export interface LoadedWorld {
  manifest: WorldManifest;
  documents: WorldDocument[];
  queries: WorldQuery[];
}

function parseLines<T>(file: string, text: string, check: (value: unknown, line: number) => T): T[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CorruptWorldError(file, `line ${i + 1} is not JSON`);
    }
    return check(value, i + 1);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a world written by `tracebase world generate`: checks that the manifest exists, that
 * each data file has the size and SHA-256 the manifest records, and that every line has the
 * fields of a document or query.
 * @throws WorldNotFoundError when the directory holds no manifest
 * @throws CorruptWorldError when a file disagrees with the manifest or a line is malformed
 */
export async function readWorld(directory: string): Promise<LoadedWorld> {
  const dir = path.resolve(directory);
  const manifestPath = path.join(dir, WORLD_FILES.manifest);
  const manifestText = await fs.readFile(manifestPath, 'utf8').catch(() => {
    throw new WorldNotFoundError(dir);
  });
  let manifest: WorldManifest;
  try {
    manifest = JSON.parse(manifestText) as WorldManifest;
  } catch {
    throw new CorruptWorldError(manifestPath, 'it is not JSON');
  }
  if (manifest.generator !== 'tracebase-world' || !isRecord(manifest.files)) {
    throw new CorruptWorldError(manifestPath, 'it is not a tracebase world manifest');
  }
  const texts: Record<string, string> = {};
  for (const name of [WORLD_FILES.corpus, WORLD_FILES.queries]) {
    const file = path.join(dir, name);
    const buffer = await fs.readFile(file).catch(() => {
      throw new CorruptWorldError(file, 'the file is missing');
    });
    const expected = manifest.files[name];
    const sha256 = createHash('sha256').update(buffer).digest('hex');
    if (!expected || expected.sha256 !== sha256 || expected.bytes !== buffer.length) {
      throw new CorruptWorldError(file, 'its size or SHA-256 differs from the manifest');
    }
    texts[name] = buffer.toString('utf8');
  }
  const documents = parseLines(WORLD_FILES.corpus, texts[WORLD_FILES.corpus] as string, (value, line) => {
    if (!isRecord(value) || typeof value.id !== 'string' || typeof value.text !== 'string' || !WORLD_SOURCES.includes(value.source as never) || !isRecord(value.metadata)) {
      throw new CorruptWorldError(WORLD_FILES.corpus, `line ${line} is not a document`);
    }
    return value as unknown as WorldDocument;
  });
  const queries = parseLines(WORLD_FILES.queries, texts[WORLD_FILES.queries] as string, (value, line) => {
    if (!isRecord(value) || typeof value.id !== 'string' || typeof value.prompt !== 'string' || typeof value.completion !== 'string' || !isRecord(value.groundTruth)) {
      throw new CorruptWorldError(WORLD_FILES.queries, `line ${line} is not a query`);
    }
    return value as unknown as WorldQuery;
  });
  if (documents.length !== manifest.counts.documents || queries.length !== manifest.counts.queries) {
    throw new CorruptWorldError(dir, 'the number of documents or queries differs from the manifest');
  }
  return { manifest, documents, queries };
}
