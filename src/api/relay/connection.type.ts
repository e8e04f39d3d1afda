import { Field, ObjectType, type ClassType } from 'type-graphql';

import { encodeCursor } from './page-args';

@ObjectType('PageInfo', { description: 'Where a page stands in its connection.' })
export class PageInfoType {
  @Field(() => Boolean, { description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page; pass it as `after`.' })
  endCursor!: string | null;
}

/** A page of items with ids, as services return it (one more item was asked for than shown). */
export interface Page<T extends { id: number }> {
  readonly items: T[];
  readonly hasNextPage: boolean;
}

/** Builds the Relay connection object of a page of stored records, mapping each to its node type. */
export function toConnection<T extends { id: number }, N>(page: Page<T>, toNode: (item: T) => N) {
  return {
    edges: page.items.map((item) => ({ cursor: encodeCursor(item.id), node: toNode(item) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.length ? encodeCursor(page.items[page.items.length - 1]!.id) : null },
  };
}

/** Relay connection and edge types for a node type. */
export function ConnectionType<T extends object>(name: string, node: ClassType<T>, what: string) {
  @ObjectType(`${name}Edge`, { description: `One ${what} in a page, with its cursor.` })
  class Edge {
    @Field(() => String, { description: 'Cursor of this item.' })
    cursor!: string;

    @Field(() => node, { description: `The ${what}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${what}s (Relay connection, ascending id).` })
  class Connection {
    @Field(() => [Edge], { description: 'The items of this page.' })
    edges!: Edge[];

    @Field(() => PageInfoType, { description: 'Whether more items follow, and the cursor to ask for them.' })
    pageInfo!: PageInfoType;
  }
  return Connection;
}
