import { InvalidInputError } from '../errors/tracebase.error';
import type { QueryKindName } from '../domain/query-kind';
import type { QueryInputData } from '../domain/query-input';

const KINDS = ['factual', 'reasoning', 'control', 'other'];

/**
 * Parses queries JSONL, one JSON object per line (blank lines skipped): `prompt` and `completion`
 * (strings), optional `id` (the external id), `kind` (factual | reasoning | control | other, any
 * case; default other), `answerKeywords` (array) or `answer` (one keyword), `tags` (array) or
 * `task` (one tag). World queries (`tracebase world`'s queries.jsonl) read as they are. Every
 * error names `source` and the line.
 */
export function parseQueriesJsonl(text: string, source: string): QueryInputData[] {
  return text
    .split('\n')
    .map((line, i) => [line, i + 1] as const)
    .filter(([line]) => line.trim() !== '')
    .map(([line, n]) => {
      let v: Record<string, unknown>;
      try {
        v = JSON.parse(line) as Record<string, unknown>;
      } catch (error) {
        throw new InvalidInputError(`${source}:${n}: invalid JSON (${(error as Error).message})`, { line: n });
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidInputError(`${source}:${n}: expected a JSON object`, { line: n });
      if (typeof v.prompt !== 'string' || typeof v.completion !== 'string') {
        throw new InvalidInputError(`${source}:${n}: "prompt" and "completion" must be strings`, { line: n });
      }
      const kind = typeof v.kind === 'string' ? v.kind.toLowerCase() : 'other';
      if (!KINDS.includes(kind)) throw new InvalidInputError(`${source}:${n}: kind must be one of ${KINDS.join(', ')}`, { line: n });
      const keywords = Array.isArray(v.answerKeywords) ? v.answerKeywords.map(String) : typeof v.answer === 'string' ? [v.answer] : [];
      return {
        externalId: v.id === undefined || v.id === null ? null : String(v.id),
        prompt: v.prompt,
        completion: v.completion,
        kind: kind.toUpperCase() as QueryKindName,
        answerKeywords: keywords,
        tags: Array.isArray(v.tags) ? v.tags.map(String) : typeof v.task === 'string' ? [v.task] : [],
      };
    });
}
