import { existsSync } from 'node:fs';

import { InvalidInputError } from '../errors/tracebase.error';
import { DEFAULT_MAX_TEXT_BYTES, duplicateIdReason, maxCorpusLineBytes, parseCorpusLine, type RejectedLine, tooLongLineReason } from '../io/corpus-line.parser';
import { readJsonlLines } from '../io/jsonl-line.reader';
import { CorpusLineError } from './influence.errors';

/** One document of a corpus JSONL file: `{"id": "...", "text": "...", ...}`. */
export interface CorpusDocument {
  /** External id (strings kept; integers converted to their decimal string). */
  readonly id: string;
  readonly text: string;
  /** 1-based line number in the file. */
  readonly line: number;
  /** `source` field (code, math, wiki, …; `unknown` when absent). */
  readonly source: string;
}

/** Options of {@link readCorpusJsonl}. */
export interface CorpusReadOptions {
  /** Stop after this many documents. */
  readonly maxDocs?: number;
  /** Longest accepted text in UTF-8 bytes (default 1 MiB, as `corpus import`). */
  readonly maxTextBytes?: number;
}

/** The error for a rejected line: `file:line: [document id: ]reason`. */
function lineError(file: string, rejected: RejectedLine): CorpusLineError {
  return new CorpusLineError(file, rejected.line, rejected.id !== undefined ? `document ${rejected.id}: ${rejected.reason}` : rejected.reason);
}

/**
 * Streams the documents of a corpus JSONL file in order (constant memory). Each line is checked
 * by the one corpus line parser ({@link parseCorpusLine}, the rules of `corpus import`); blank
 * lines are skipped. Unlike the import, which reports bad lines and goes on, the first bad line or
 * repeated id stops the read with a {@link CorpusLineError} naming `file:line`. Stops after
 * `maxDocs` documents.
 */
export async function* readCorpusJsonl(file: string, opts: CorpusReadOptions = {}): AsyncGenerator<CorpusDocument> {
  if (!existsSync(file)) throw new InvalidInputError(`corpus file ${file} does not exist`, { file });
  const maxTextBytes = opts.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  const firstLine = new Map<string, number>();
  let count = 0;
  for await (const line of readJsonlLines(file, maxCorpusLineBytes(maxTextBytes))) {
    if (opts.maxDocs !== undefined && count >= opts.maxDocs) break;
    if (line.tooLong !== undefined) throw lineError(file, { line: line.lineNumber, reason: tooLongLineReason(line.tooLong) });
    const parsed = parseCorpusLine(line.lineNumber, line.bytes, { maxTextBytes });
    if (parsed === undefined) continue;
    if ('rejected' in parsed) throw lineError(file, parsed.rejected);
    const { externalId: id, text, source } = parsed.document;
    const first = firstLine.get(id);
    if (first !== undefined) throw lineError(file, { line: line.lineNumber, reason: duplicateIdReason(id, first) });
    firstLine.set(id, line.lineNumber);
    count++;
    yield { id, text, line: line.lineNumber, source };
  }
}

/** Reads a whole corpus file into memory (see {@link readCorpusJsonl}). */
export async function readCorpusFile(file: string, opts: CorpusReadOptions = {}): Promise<CorpusDocument[]> {
  const out: CorpusDocument[] = [];
  for await (const d of readCorpusJsonl(file, opts)) out.push(d);
  return out;
}
