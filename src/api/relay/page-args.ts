import { ArgsType, Field, Int } from 'type-graphql';

import { InvalidInputError } from '../../errors/tracebase.error';

/** Largest page any connection returns. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Items to return, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor after which to start (endCursor of the previous page).' })
  after?: string;
}

/** A validated page request: keyset pagination by ascending id. */
export interface PageRequest {
  readonly first: number;
  /** Only ids greater than this. */
  readonly afterId: number;
}

/** Cursor of an item: base64url of `cursor:<id>`. */
export function encodeCursor(id: number): string {
  return Buffer.from(`cursor:${id}`, 'utf8').toString('base64url');
}

/** Validates `first` and decodes `after`; BAD_USER_INPUT names the bad argument. */
export function toPageRequest(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new InvalidInputError(`first must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${first}`, { argument: 'first' });
  }
  if (args.after === undefined || args.after === null) return { first, afterId: 0 };
  const match = /^cursor:(\d{1,10})$/.exec(/^[A-Za-z0-9_-]{1,40}$/.test(args.after) ? Buffer.from(args.after, 'base64url').toString('utf8') : '');
  if (!match) throw new InvalidInputError(`after "${args.after.slice(0, 60)}" is not a cursor of this connection`, { argument: 'after' });
  return { first, afterId: Number(match[1]) };
}

/** Complexity of a connection field: page size times the cost of one item. */
export function connectionComplexity({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }): number {
  const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
  return 1 + Math.max(1, first) * Math.max(1, childComplexity);
}
