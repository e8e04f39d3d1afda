import type { QueryInputData } from '../../domain/query-input';
import type { QueryRecord } from '../../domain/query.record';
import { toGlobalId } from '../relay/global-id';
import type { InfluenceQueryInput, InfluenceQueryType } from '../types/influence-query.type';
import { QUERY_KIND_FROM_GRAPHQL, QUERY_KIND_TO_GRAPHQL } from './enum.mapper';

/** A query as the GraphQL type; carries its row, row id and model id for field resolvers. */
export type InfluenceQueryNode = InfluenceQueryType & { readonly rowId: number; readonly modelRowId: number; readonly record: QueryRecord };

/** A stored query as the GraphQL type. */
export function toInfluenceQueryType(q: QueryRecord): InfluenceQueryNode {
  return {
    id: toGlobalId('InfluenceQuery', q.id),
    rowId: q.id,
    modelRowId: q.modelId,
    externalId: q.externalId,
    prompt: q.prompt,
    completion: q.completion,
    kind: QUERY_KIND_TO_GRAPHQL[q.kind],
    answerKeywords: q.answerKeywords,
    tags: q.tags,
    nats: q.nats,
    modelAnswer: q.modelAnswer,
    answeredCorrectly: q.answeredCorrectly,
    record: q,
  };
}

/** A GraphQL query input as the services take it. */
export function toQueryInputData(q: InfluenceQueryInput): QueryInputData {
  return {
    externalId: q.externalId,
    prompt: q.prompt,
    completion: q.completion,
    ...(q.kind === undefined || q.kind === null ? {} : { kind: QUERY_KIND_FROM_GRAPHQL[q.kind] }),
    answerKeywords: q.answerKeywords ?? undefined,
    tags: q.tags ?? undefined,
  };
}
