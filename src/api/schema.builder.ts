import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';

import { roleAuthChecker } from './auth-checker';
import { ApiTokenResolver } from './resolvers/api-token.resolver';
import { CorpusResolver } from './resolvers/corpus.resolver';
import { DocumentResolver } from './resolvers/document.resolver';
import { HealthResolver } from './resolvers/health.resolver';
import { InfluenceAnalysisResolver } from './resolvers/influence-analysis.resolver';
import { IngestionResolver } from './resolvers/ingestion.resolver';
import { JobProgressResolver } from './resolvers/job-progress.resolver';
import { JobResolver } from './resolvers/job.resolver';
import { InfluenceQueryResolver } from './resolvers/influence-query.resolver';
import { ModelResolver } from './resolvers/model.resolver';
import { noPubSub } from './subscriptions/no-pub-sub';

/** Every resolver class of the API. Later capabilities add theirs here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's buildSchema takes resolver classes as NonEmptyArray<Function>
export const RESOLVERS: NonEmptyArray<Function> = [
  HealthResolver,
  ApiTokenResolver,
  CorpusResolver,
  DocumentResolver,
  ModelResolver,
  InfluenceQueryResolver,
  InfluenceAnalysisResolver,
  IngestionResolver,
  JobResolver,
  JobProgressResolver,
];

let cached: Promise<GraphQLSchema> | undefined;

/** Builds (once per process) the executable GraphQL schema from the type-graphql classes. */
export function buildTracebaseSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: RESOLVERS,
    // arguments are validated by the services, which GraphQL and the CLI share (docs/architecture.md)
    validate: false,
    authChecker: roleAuthChecker,
    authMode: 'error',
    pubSub: noPubSub,
  });
  return cached;
}

/** Header of the committed schema.graphql. */
const SCHEMA_HEADER =
  '# Tracebase GraphQL schema. Emitted from the code by `npm run schema:emit`; do not edit by hand.\n' + '# A test fails when this file is stale.\n\n';

/** The SDL committed as schema.graphql: types sorted by name, with a header. */
export function printTracebaseSchema(schema: GraphQLSchema): string {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}
