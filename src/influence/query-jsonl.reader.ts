import { existsSync, readFileSync } from 'node:fs';

import { InvalidInputError } from '../errors/tracebase.error';
import { CorpusLineError } from './influence.errors';
import { QueryInput } from './query-gradient.pipeline';

/**
 * Reads a queries JSONL file: one `{"id": …, "prompt": "…", "completion": "…"}` per line (other
 * fields ignored; blank lines skipped). Missing/empty fields and duplicate ids are errors naming
 * the line; an empty completion is refused (there is nothing to score).
 */
export function readQueriesJsonl(file: string): QueryInput[] {
  if (!existsSync(file)) throw new InvalidInputError(`queries file ${file} does not exist`, { file });
  const out: QueryInput[] = [];
  const seen = new Set<string>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, k) => {
      const line = k + 1;
      if (raw.trim() === '') return;
      let v: Record<string, unknown>;
      try {
        v = JSON.parse(raw) as Record<string, unknown>;
      } catch (e) {
        throw new CorpusLineError(file, line, `not valid JSON (${(e as Error).message})`);
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CorpusLineError(file, line, 'expected a JSON object with "id", "prompt" and "completion"');
      if (!(typeof v.id === 'string' || typeof v.id === 'number') || String(v.id) === '') throw new CorpusLineError(file, line, 'missing "id"');
      const id = String(v.id);
      if (typeof v.prompt !== 'string') throw new CorpusLineError(file, line, `query ${id}: missing "prompt"`);
      if (typeof v.completion !== 'string') throw new CorpusLineError(file, line, `query ${id}: missing "completion"`);
      if (v.completion === '') throw new CorpusLineError(file, line, `query ${id}: completion is empty: there is nothing to score`);
      if (seen.has(id)) throw new CorpusLineError(file, line, `duplicate query id ${id}`);
      seen.add(id);
      out.push({ id, prompt: v.prompt, completion: v.completion });
    });
  if (out.length === 0) throw new InvalidInputError(`queries file ${file} has no queries`, { file });
  return out;
}
