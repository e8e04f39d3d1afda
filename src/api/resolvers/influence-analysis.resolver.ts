import { Args, ArgsType, Authorized, Ctx, Field, ID, Int, Query, Resolver } from 'type-graphql';

import type { GraphQLContext } from '../context';
import { CORRELATION_METHOD_FROM_GRAPHQL, INFLUENCE_SIGN_FROM_GRAPHQL, INFLUENCE_SIGN_TO_GRAPHQL, SCORE_METHOD_FROM_GRAPHQL } from '../mappers/enum.mapper';
import { toScoreBasisType } from '../mappers/influence-analysis.mapper';
import { fromGlobalId, toGlobalId } from '../relay/global-id';
import {
  AnswerInTopKType,
  CorrelationMethodEnum,
  InfluenceCorrelationType,
  InfluenceDistributionType,
  InfluenceLayerTotalsType,
  ScoreMethodEnum,
  SourceOverRepresentationType,
} from '../types/influence-analysis.type';
import { InfluenceSignEnum } from '../types/influence-query.type';

@ArgsType()
class AnalysisArgs {
  @Field(() => [ID], { description: 'Influence queries (global IDs, one model).' })
  queryIds!: string[];

  @Field(() => String, { description: 'Factor set name.' })
  factorSet!: string;

  @Field(() => String, { description: 'Projection space name.' })
  space!: string;
}

@ArgsType()
class DistributionArgs {
  @Field(() => ID, { description: 'The influence query (global ID); to compare queries, ask once per query (aliases).' })
  queryId!: string;

  @Field(() => String, { description: 'Factor set name.' })
  factorSet!: string;

  @Field(() => String, { description: 'Projection space name.' })
  space!: string;
}

@ArgsType()
class CorrelationArgs extends AnalysisArgs {
  @Field(() => CorrelationMethodEnum, { defaultValue: CorrelationMethodEnum.PEARSON, description: 'Pearson or Spearman.' })
  method!: CorrelationMethodEnum;
}

@ArgsType()
class AnswerArgs extends AnalysisArgs {
  @Field(() => Int, { defaultValue: 500, description: 'Top k (the paper: 500).' })
  k!: number;
}

@ArgsType()
class OverRepresentationArgs extends AnalysisArgs {
  @Field(() => [Int], { description: 'Cut-offs k.' })
  ks!: number[];

  @Field(() => InfluenceSignEnum, { defaultValue: InfluenceSignEnum.POSITIVE, description: 'Top or bottom.' })
  sign!: InfluenceSignEnum;
}

@ArgsType()
class LayerTotalsArgs extends AnalysisArgs {
  @Field(() => ScoreMethodEnum, {
    defaultValue: ScoreMethodEnum.PROJECTED,
    description: 'PROJECTED (every document of the space) or EXACT (the cached exact scores).',
  })
  method!: ScoreMethodEnum;
}

/** The queries of an analysis as the services take them: row ids, with the factor set and space names. */
function analysisRequest(args: AnalysisArgs) {
  return { queryIds: args.queryIds.map((id) => fromGlobalId(id, 'InfluenceQuery').id), factorSet: args.factorSet, space: args.space };
}

@Resolver()
export class InfluenceAnalysisResolver {
  @Authorized('VIEWER')
  @Query(() => InfluenceCorrelationType, { description: 'Finding 1: correlation matrix of the queries’ influence over all documents.' })
  async influenceCorrelation(@Args(() => CorrelationArgs) args: CorrelationArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceCorrelationType> {
    const out = await ctx.services.influenceAnalysis.influenceCorrelation({ ...analysisRequest(args), method: CORRELATION_METHOD_FROM_GRAPHQL[args.method] });
    return { basis: toScoreBasisType(out.basis), queryIds: out.queryIds.map((id) => toGlobalId('InfluenceQuery', id)), matrix: out.matrix };
  }

  @Authorized('VIEWER')
  @Query(() => InfluenceDistributionType, {
    description: 'Finding 2: total influence per nat of one query, its concentration, and a power-law fit of its top 500.',
  })
  async influenceDistribution(@Args(() => DistributionArgs) args: DistributionArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceDistributionType> {
    const out = await ctx.services.influenceAnalysis.influenceDistribution({
      queryIds: [fromGlobalId(args.queryId, 'InfluenceQuery').id],
      factorSet: args.factorSet,
      space: args.space,
    });
    return { ...out, basis: toScoreBasisType(out.basis) };
  }

  @Authorized('VIEWER')
  @Query(() => AnswerInTopKType, { description: 'Finding 3: whether the answer keywords occur in the top k documents.' })
  async answerInTopK(@Args(() => AnswerArgs) args: AnswerArgs, @Ctx() ctx: GraphQLContext): Promise<AnswerInTopKType> {
    const out = await ctx.services.influenceAnalysis.answerInTopK({ ...analysisRequest(args), k: args.k });
    return {
      basis: toScoreBasisType(out.basis),
      k: out.k,
      results: out.results.map((x) => ({
        queryId: toGlobalId('InfluenceQuery', x.queryId),
        keywords: x.keywords,
        found: x.found,
        documents: x.documents.map((d) => ({
          documentId: toGlobalId('Document', d.documentId),
          rank: d.rank,
          labels: d.labels.map((l) => ({ task: l.task, annotator: l.annotator, value: l.value, version: l.version })),
        })),
      })),
    };
  }

  @Authorized('VIEWER')
  @Query(() => SourceOverRepresentationType, { description: 'Findings 4–5: source share in the top k ÷ share in the corpus.' })
  async sourceOverRepresentation(
    @Args(() => OverRepresentationArgs) args: OverRepresentationArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SourceOverRepresentationType> {
    const out = await ctx.services.influenceAnalysis.sourceOverRepresentation({
      ...analysisRequest(args),
      ks: args.ks,
      sign: INFLUENCE_SIGN_FROM_GRAPHQL[args.sign],
    });
    return { basis: toScoreBasisType(out.basis), sign: INFLUENCE_SIGN_TO_GRAPHQL[out.sign], rows: out.rows };
  }

  @Authorized('VIEWER')
  @Query(() => InfluenceLayerTotalsType, {
    description: 'Layer-wise influence: per query and tracked layer, total positive and negative influence over the documents scored.',
  })
  async influenceLayerTotals(@Args(() => LayerTotalsArgs) args: LayerTotalsArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceLayerTotalsType> {
    const out = await ctx.services.influenceAnalysis.influenceLayerTotals({ ...analysisRequest(args), method: SCORE_METHOD_FROM_GRAPHQL[args.method] });
    return {
      basis: toScoreBasisType(out.basis),
      results: out.results.map((q) => ({
        queryId: toGlobalId('InfluenceQuery', q.queryId),
        nats: q.nats,
        documents: q.documents,
        layers: q.layers.map((l) => ({ ...l })),
      })),
    };
  }
}
