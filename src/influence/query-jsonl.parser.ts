import { parseQueryKind } from '../domain/query-kind';
import type { QueryInputData } from '../domain/query-input';
import { CorpusLineError } from './influence.errors';

/** One query of a queries JSONL text, with its line (1-based). */
export interface QueryJsonlLine {
  readonly line: number;
  readonly query: QueryInputData;
}

/**
 * Parses queries JSONL, one JSON object per line (blank lines skipped): `prompt` and `completion`
 * (strings), optional `id` (the external id), `kind` (factual | reasoning | control | other, any
 * case; default other; src/domain/query-kind.ts), `answerKeywords` (array) or `answer` (one
 * keyword), `tags` (array) or `task` (one tag). World queries (`tracebase world`'s
 * queries.jsonl) read as they are. Every error is a {@link CorpusLineError} naming `source` and
 * the line. The one queries-JSONL parser: `queries add --file`, createInfluenceQueriesFromJsonl
 * and the offline `tracebase influence` ({@link readQueriesJsonl}) all read through it.
 */
export function parseQueriesJsonlLines(text: string, source: string): QueryJsonlLine[] {
  const out: QueryJsonlLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw new CorpusLineError(source, line, `invalid JSON (${(error as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CorpusLineError(source, line, 'expected a JSON object');
    if (typeof v.prompt !== 'string' || typeof v.completion !== 'string') throw new CorpusLineError(source, line, '"prompt" and "completion" must be strings');
    const kind = typeof v.kind === 'string' ? parseQueryKind(v.kind, `${source}:${line}`) : 'OTHER';
    const keywords = Array.isArray(v.answerKeywords) ? v.answerKeywords.map(String) : typeof v.answer === 'string' ? [v.answer] : [];
    out.push({
      line,
      query: {
        externalId: v.id === undefined || v.id === null ? null : String(v.id),
        prompt: v.prompt,
        completion: v.completion,
        kind,
        answerKeywords: keywords,
        tags: Array.isArray(v.tags) ? v.tags.map(String) : typeof v.task === 'string' ? [v.task] : [],
      },
    });
  });
  return out;
}

/** {@link parseQueriesJsonlLines} without the line numbers. */
export function parseQueriesJsonl(text: string, source: string): QueryInputData[] {
  return parseQueriesJsonlLines(text, source).map((l) => l.query);
}
