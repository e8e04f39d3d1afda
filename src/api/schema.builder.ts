import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';

import { HealthResolver } from './resolvers/health.resolver';

/** Every resolver class of the API. Later capabilities add theirs here. */
export const RESOLVERS = [HealthResolver] as const;

let cached: Promise<GraphQLSchema> | undefined;

/** Builds (once per process) the executable GraphQL schema from the type-graphql classes. */
export function buildTracebaseSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: [...RESOLVERS] as [typeof HealthResolver],
    validate: { forbidUnknownValues: false },
  });
  return cached;
}

/** Header of the committed schema.graphql. */
const SCHEMA_HEADER =
  '# Tracebase GraphQL schema. Emitted from the code by `npm run schema:emit`; do not edit by hand.\n' +
  '# A test fails when this file is stale.\n\n';

/** The SDL committed as schema.graphql: types sorted by name, with a header. */
export function printTracebaseSchema(schema: GraphQLSchema): string {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}
