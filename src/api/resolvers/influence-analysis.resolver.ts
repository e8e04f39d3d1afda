import { Args, ArgsType, Authorized, Ctx, Field, ID, Int, Query, Resolver } from 'type-graphql';

import { InvalidInputError, NotFoundError } from '../../errors/tracebase.error';
import type { ScoreBasis } from '../../services/influence-analysis.service';
import type { GraphQLContext } from '../context';
import { fromGlobalId, toGlobalId } from '../relay/global-id';
import {
  AnswerInTopKType,
  CorrelationMethodEnum,
  InfluenceCorrelationType,
  InfluenceDistributionType,
  InfluenceLayerTotalsType,
  ScoreBasisType,
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
  @Field(() => ScoreMethodEnum, { defaultValue: ScoreMethodEnum.PROJECTED, description: 'PROJECTED (every document of the space) or EXACT (the cached exact scores).' })
  method!: ScoreMethodEnum;
}

interface Resolved {
  queryIds: number[];
  factorSetId: number;
  spaceId: number;
  names: { factorSet: string; space: string };
}

async function resolve(args: AnalysisArgs, ctx: GraphQLContext): Promise<Resolved> {
  const queryIds = args.queryIds.map((id) => fromGlobalId(id, 'InfluenceQuery').id);
  const queries = await ctx.services.queries.getMany(queryIds);
  const first = queries.find((q) => q !== null);
  if (!first || queries.some((q) => q === null)) throw new NotFoundError('some of the queries do not exist');
  if (queries.some((q) => q!.modelId !== first.modelId)) throw new InvalidInputError('the queries of one analysis must belong to one model');
  const factorSet = await ctx.services.factorSets.byName(first.modelId, args.factorSet);
  const space = await ctx.services.projectionSpaces.byModelId(first.modelId, args.space);
  return { queryIds, factorSetId: factorSet.id, spaceId: space.id, names: { factorSet: factorSet.name, space: space.name } };
}

function basis(b: ScoreBasis, names: Resolved['names']): ScoreBasisType {
  return { method: b.method, documents: b.documents, cached: b.cached ?? false, factorSet: names.factorSet, space: names.space };
}

@Resolver()
export class InfluenceAnalysisResolver {
  @Authorized('VIEWER')
  @Query(() => InfluenceCorrelationType, { description: 'Finding 1: correlation matrix of the queries’ influence over all documents.' })
  async influenceCorrelation(@Args(() => CorrelationArgs) args: CorrelationArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceCorrelationType> {
    const r = await resolve(args, ctx);
    const out = await ctx.services.influenceAnalysis.correlation(r.queryIds, args.method === CorrelationMethodEnum.SPEARMAN ? 'spearman' : 'pearson', r.factorSetId, r.spaceId);
    return { basis: basis(out.basis, r.names), queryIds: out.queryIds.map((id) => toGlobalId('InfluenceQuery', id)), matrix: out.matrix };
  }

  @Authorized('VIEWER')
  @Query(() => InfluenceDistributionType, { description: 'Finding 2: total influence per nat, its concentration, and a power-law fit (first query).' })
  async influenceDistribution(@Args(() => AnalysisArgs) args: AnalysisArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceDistributionType> {
    const r = await resolve(args, ctx);
    if (r.queryIds.length !== 1) throw new InvalidInputError('influenceDistribution takes one query');
    const out = await ctx.services.influenceAnalysis.distribution(r.queryIds[0]!, r.factorSetId, r.spaceId);
    return { ...out, basis: basis(out.basis, r.names) };
  }

  @Authorized('VIEWER')
  @Query(() => AnswerInTopKType, { description: 'Finding 3: whether the answer keywords occur in the top k documents.' })
  async answerInTopK(@Args(() => AnswerArgs) args: AnswerArgs, @Ctx() ctx: GraphQLContext): Promise<AnswerInTopKType> {
    const r = await resolve(args, ctx);
    const out = await ctx.services.influenceAnalysis.answerInTopK(r.queryIds, args.k, r.factorSetId, r.spaceId);
    return {
      basis: basis(out.basis, r.names),
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
  async sourceOverRepresentation(@Args(() => OverRepresentationArgs) args: OverRepresentationArgs, @Ctx() ctx: GraphQLContext): Promise<SourceOverRepresentationType> {
    const r = await resolve(args, ctx);
    const out = await ctx.services.influenceAnalysis.sourceOverRepresentation(r.queryIds, args.ks, args.sign === InfluenceSignEnum.NEGATIVE ? 'negative' : 'positive', r.factorSetId, r.spaceId);
    return { basis: basis(out.basis, r.names), sign: args.sign, rows: out.rows };
  }

  @Authorized('VIEWER')
  @Query(() => InfluenceLayerTotalsType, { description: 'Layer-wise influence: per query and tracked layer, total positive and negative influence over the documents scored.' })
  async influenceLayerTotals(@Args(() => LayerTotalsArgs) args: LayerTotalsArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceLayerTotalsType> {
    const r = await resolve(args, ctx);
    const out = await ctx.services.influenceAnalysis.layerTotals(r.queryIds, args.method === ScoreMethodEnum.EXACT ? 'EXACT' : 'PROJECTED', r.factorSetId, r.spaceId);
    return {
      basis: basis(out.basis, r.names),
      results: out.results.map((q) => ({ queryId: toGlobalId('InfluenceQuery', q.queryId), nats: q.nats, documents: q.documents, layers: q.layers.map((l) => ({ ...l })) })),
    };
  }
}
