import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { InvalidInputError } from '../errors/tracebase.error';
import { CorpusLineError } from './influence.errors';

/** One document of a corpus JSONL file: `{"id": "...", "text": "...", ...}` (other fields are kept). */
export interface CorpusDocument {
  /** External id (strings kept; numbers converted to their decimal string). */
  readonly id: string;
  readonly text: string;
  /** 1-based line number in the file. */
  readonly line: number;
  /** Optional `source` field (code, math, wiki, …). */
  readonly source?: string;
}

/**
 * Validates one JSONL line: a JSON object with a non-empty string (or integer) `id` and a
 * non-empty string `text`. Throws {@link CorpusLineError} naming `file:line` otherwise.
 * Blank lines return `undefined` (skipped).
 */
export function parseCorpusLine(raw: string, line: number, file: string): CorpusDocument | undefined {
  if (raw.trim() === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new CorpusLineError(file, line, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CorpusLineError(file, line, 'expected a JSON object with "id" and "text"');
  const o = v as Record<string, unknown>;
  if (o.id === undefined || o.id === null) throw new CorpusLineError(file, line, 'missing "id"');
  if (!(typeof o.id === 'string' || (typeof o.id === 'number' && Number.isSafeInteger(o.id)))) throw new CorpusLineError(file, line, '"id" must be a string or an integer');
  const id = String(o.id);
  if (id.length === 0) throw new CorpusLineError(file, line, '"id" is empty');
  if (o.text === undefined || o.text === null) throw new CorpusLineError(file, line, `document ${id}: missing "text"`);
  if (typeof o.text !== 'string') throw new CorpusLineError(file, line, `document ${id}: "text" must be a string`);
  if (o.text.length === 0) throw new CorpusLineError(file, line, `document ${id}: "text" is empty`);
  return { id, text: o.text, line, ...(typeof o.source === 'string' ? { source: o.source } : {}) };
}

/**
 * Streams the documents of a corpus JSONL file in order (constant memory), validating each line
 * ({@link parseCorpusLine}) and refusing duplicate ids. Stops after `maxDocs` documents.
 */
export async function* readCorpusJsonl(file: string, opts: { maxDocs?: number } = {}): AsyncGenerator<CorpusDocument> {
  if (!existsSync(file)) throw new InvalidInputError(`corpus file ${file} does not exist`, { file });
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const seen = new Set<string>();
  let line = 0;
  let count = 0;
  try {
    for await (const raw of rl) {
      line++;
      if (opts.maxDocs !== undefined && count >= opts.maxDocs) break;
      const doc = parseCorpusLine(raw, line, file);
      if (!doc) continue;
      if (seen.has(doc.id)) throw new CorpusLineError(file, line, `duplicate id ${doc.id}`);
      seen.add(doc.id);
      count++;
      yield doc;
    }
  } finally {
    rl.close();
  }
}

/** Reads a whole corpus file into memory (see {@link readCorpusJsonl}). */
export async function readCorpusFile(file: string, opts: { maxDocs?: number } = {}): Promise<CorpusDocument[]> {
  const out: CorpusDocument[] = [];
  for await (const d of readCorpusJsonl(file, opts)) out.push(d);
  return out;
}
