import { InvalidInputError } from '../errors/tracebase.error';
import { isOneOf } from './one-of';

/**
 * What an influence query asks for: the paper compares FACTUAL, REASONING and CONTROL queries;
 * OTHER is everything else (and the default). The one list of kinds: the API's enum, the CLI's
 * `--kind`, the queries-JSONL parser and the database column all follow it.
 */
export const QUERY_KINDS = ['FACTUAL', 'REASONING', 'CONTROL', 'OTHER'] as const;
export type QueryKindName = (typeof QUERY_KINDS)[number];

/** Whether `value` is one of {@link QUERY_KINDS} (exact case). */
export function isQueryKind(value: unknown): value is QueryKindName {
  return isOneOf(value, QUERY_KINDS);
}

/**
 * A query kind written in any case (`factual`, `Factual`, `FACTUAL`), as files and the CLI give
 * it; `where` prefixes the error (e.g. `queries.jsonl:3` or `--kind`).
 */
export function parseQueryKind(text: string, where: string): QueryKindName {
  const kind = text.toUpperCase();
  if (!isQueryKind(kind)) {
    throw new InvalidInputError(`${where}: kind must be one of ${QUERY_KINDS.map((k) => k.toLowerCase()).join(', ')}, got ${JSON.stringify(text)}`, {
      argument: 'kind',
    });
  }
  return kind;
}
