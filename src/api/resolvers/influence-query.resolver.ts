import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';

import { NotFoundError } from '../../errors/tracebase.error';
import type { QueryRecord } from '../../repositories/query.repository';
import type { GraphQLContext } from '../context';
import { toConnection } from '../relay/connection.type';
import { fromGlobalId, toGlobalId } from '../relay/global-id';
import { connectionComplexity, PageArgs, toPageRequest } from '../relay/page-args';
import {
  InfluenceModeEnum,
  InfluenceNormalizationEnum,
  InfluenceQueryConnection,
  InfluenceQueryInput,
  InfluenceQueryType,
  InfluenceRankingType,
  InfluenceSignEnum,
  QueryKindEnum,
} from '../types/influence-query.type';
import { toDocumentType } from './document.resolver';

/** A query as the GraphQL type; carries its row and model ids for field resolvers. */
export type InfluenceQueryNode = InfluenceQueryType & { readonly rowId: number; readonly modelRowId: number };

export function toInfluenceQueryType(q: QueryRecord): InfluenceQueryNode {
  return {
    id: toGlobalId('InfluenceQuery', q.id),
    rowId: q.id,
    modelRowId: q.modelId,
    externalId: q.externalId,
    prompt: q.prompt,
    completion: q.completion,
    kind: q.kind as QueryKindEnum,
    answerKeywords: q.answerKeywords,
    tags: q.tags,
  };
}

@ArgsType()
class QueryPageArgs extends PageArgs {
  @Field(() => QueryKindEnum, { nullable: true, description: 'Only queries of this kind.' })
  kind?: QueryKindEnum;
}

@ArgsType()
class TopInfluencesArgs {
  @Field(() => String, { description: 'Name of the factor set (preconditioning).' })
  factorSet!: string;

  @Field(() => String, { description: 'Name of the projection space the documents were ingested into.' })
  space!: string;

  @Field(() => Int, { defaultValue: 10, description: 'How many documents, 1–1000.' })
  k!: number;

  @Field(() => InfluenceSignEnum, { defaultValue: InfluenceSignEnum.POSITIVE, description: 'Most positive or most negative.' })
  sign!: InfluenceSignEnum;

  @Field(() => InfluenceModeEnum, { defaultValue: InfluenceModeEnum.RERANKED, description: 'ANN, RERANKED or EXACT.' })
  mode!: InfluenceModeEnum;

  @Field(() => InfluenceNormalizationEnum, {
    defaultValue: InfluenceNormalizationEnum.NONE,
    description: 'Rank by the raw influence (NONE) or by influence / the document’s gradient norm (GRADIENT_NORM).',
  })
  normalize!: InfluenceNormalizationEnum;

  @Field(() => Int, { nullable: true, description: 'hnsw.ef_search for the ANN stage (default max(100, 2 × candidates)).' })
  efSearch?: number;
}

@ArgsType()
class CreateQueriesArgs {
  @Field(() => String, { description: 'Name of the registered model.' })
  model!: string;

  @Field(() => String, { description: 'Factor set to precondition with.' })
  factorSet!: string;

  @Field(() => [String], { description: 'Projection spaces to compute the query vectors in.' })
  spaces!: string[];

  @Field(() => [InfluenceQueryInput], { description: 'The queries (1–500).' })
  queries!: InfluenceQueryInput[];
}

@Resolver(() => InfluenceQueryType)
export class InfluenceQueryResolver {
  @Authorized('VIEWER')
  @Query(() => InfluenceQueryConnection, { description: 'Influence queries, by ascending id.', complexity: connectionComplexity })
  async influenceQueries(@Args(() => QueryPageArgs) args: QueryPageArgs, @Ctx() ctx: GraphQLContext) {
    const { first, afterId } = toPageRequest(args);
    return toConnection(await ctx.services.queries.page({ kind: args.kind }, afterId, first), toInfluenceQueryType);
  }

  @Authorized('VIEWER')
  @Query(() => InfluenceQueryType, { description: 'One influence query by global ID.' })
  async influenceQuery(@Arg('id', () => ID, { description: 'Global ID.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<InfluenceQueryNode> {
    const [found] = await ctx.services.queries.getMany([fromGlobalId(id, 'InfluenceQuery').id]);
    if (!found) throw new NotFoundError(`no influence query with ID ${id}`);
    return toInfluenceQueryType(found);
  }

  @FieldResolver(() => InfluenceRankingType, {
    description: 'The most influential documents for this query (DESIGN §3 two-stage retrieval).',
    complexity: ({ args, childComplexity }) => 10 + (typeof args.k === 'number' ? args.k : 10) * Math.max(1, childComplexity),
  })
  async topInfluences(@Root() q: InfluenceQueryNode, @Args(() => TopInfluencesArgs) args: TopInfluencesArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceRankingType> {
    const factorSet = await ctx.services.factorSets.byName(q.modelRowId, args.factorSet);
    const space = await ctx.services.projectionSpaces.byModelId(q.modelRowId, args.space);
    const ranking = await ctx.services.influenceSearch.topInfluences({
      queryId: q.rowId,
      factorSetId: factorSet.id,
      spaceId: space.id,
      k: args.k,
      sign: args.sign,
      mode: args.mode,
      normalize: args.normalize,
      efSearch: args.efSearch,
    });
    const docs = await ctx.services.documents.getMany(ranking.hits.map((h) => h.documentId));
    return {
      mode: ranking.mode as InfluenceModeEnum,
      sign: ranking.sign as InfluenceSignEnum,
      normalization: ranking.normalization as InfluenceNormalizationEnum,
      nats: ranking.nats,
      candidates: ranking.candidates,
      edges: ranking.hits.flatMap((h, i) =>
        docs[i]
          ? [
              {
                rank: h.rank,
                score: h.score,
                perNat: h.perNat,
                normalizedScore: h.normalizedScore,
                gradientNorm: h.gradientNorm,
                document: toDocumentType(docs[i]!),
                layerScores: h.layerScores ? [...h.layerScores] : null,
                tokenScores: h.tokenScores ? [...h.tokenScores] : null,
              },
            ]
          : [],
      ),
    };
  }

  @Authorized('CURATOR')
  @Mutation(() => [InfluenceQueryType], {
    description: 'Create queries and compute their gradients (nats, preconditioned M, vectors in the given spaces). Runs in the server process.',
  })
  async createInfluenceQueries(@Args(() => CreateQueriesArgs) args: CreateQueriesArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceQueryNode[]> {
    const { model } = await ctx.services.modelRegistry.loadRegistered(args.model);
    const factorSet = await ctx.services.factorSets.byName(model.id, args.factorSet);
    const spaces = await Promise.all(args.spaces.map((s) => ctx.services.projectionSpaces.byModelId(model.id, s)));
    const created = await ctx.services.queries.create(args.model, args.queries);
    await ctx.services.queryGradients.compute(created.map((c) => c.record.id), factorSet.id, spaces.map((s) => s.id));
    return created.map((c) => toInfluenceQueryType(c.record));
  }
}
