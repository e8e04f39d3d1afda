import { existsSync, readFileSync } from 'node:fs';

import { InvalidInputError } from '../errors/tracebase.error';
import { CorpusLineError } from './influence.errors';
import { QueryInput } from './query-gradient.pipeline';
import { parseQueriesJsonlLines } from './query-jsonl.parser';

/**
 * Reads a queries JSONL file for the offline pipeline through {@link parseQueriesJsonlLines} (the
 * one queries-JSONL format), then asks more of it: every query has an `id`, ids are unique, the
 * completion is not empty (there is nothing to score), and the file has at least one query.
 * Errors name the file and line.
 */
export function readQueriesJsonl(file: string): QueryInput[] {
  if (!existsSync(file)) throw new InvalidInputError(`queries file ${file} does not exist`, { file });
  const out: QueryInput[] = [];
  const seen = new Set<string>();
  for (const { line, query } of parseQueriesJsonlLines(readFileSync(file, 'utf8'), file)) {
    const id = query.externalId;
    if (id === null || id === undefined || id === '') throw new CorpusLineError(file, line, 'missing "id"');
    if (query.completion === '') throw new CorpusLineError(file, line, `query ${id}: completion is empty: there is nothing to score`);
    if (seen.has(id)) throw new CorpusLineError(file, line, `duplicate query id ${id}`);
    seen.add(id);
    out.push({ id, prompt: query.prompt, completion: query.completion });
  }
  if (out.length === 0) throw new InvalidInputError(`queries file ${file} has no queries`, { file });
  return out;
}
