import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';

import { NotFoundError } from '../../errors/tracebase.error';
import { MAX_EXACT_CANDIDATES } from '../../services/exact-influence.service';
import type { JobStatus } from '../../domain/job-status';
import type { QueryGradientState } from '../../domain/query-gradient-state';
import type { QueueName } from '../../domain/queue-name';
import type { GraphQLContext } from '../context';
import {
  INFLUENCE_MODE_FROM_GRAPHQL,
  INFLUENCE_NORMALIZATION_FROM_GRAPHQL,
  INFLUENCE_SIGN_FROM_GRAPHQL,
  QUERY_GRADIENT_STATUS_TO_GRAPHQL,
  QUERY_KIND_FROM_GRAPHQL,
  SCORE_METHOD_FROM_GRAPHQL,
  SCORE_METHOD_TO_GRAPHQL,
} from '../mappers/enum.mapper';
import { type InfluenceQueryNode, toInfluenceQueryType, toQueryInputData } from '../mappers/influence-query.mapper';
import { toInfluenceRankingType } from '../mappers/influence-ranking.mapper';
import { toConnection } from '../relay/connection.type';
import { fromGlobalId } from '../relay/global-id';
import { connectionComplexity, PageArgs, toPageRequest } from '../relay/page-args';
import { ScoreCorpusResultType, ScoreMethodEnum } from '../types/influence-analysis.type';
import {
  InfluenceModeEnum,
  InfluenceNormalizationEnum,
  InfluenceQueryConnection,
  InfluenceQueryInput,
  InfluenceQueryType,
  InfluenceRankingType,
  InfluenceSignEnum,
  QueryGradientStatusEnum,
  QueryKindEnum,
} from '../types/influence-query.type';
import { toJobGlobalId } from '../types/job-global-id';

/**
 * What one request has looked up: each query's computation state (gradientStatus, gradientError
 * and gradientJobId share it) and each job's state (the queries of one job share it).
 */
interface RequestLookups {
  readonly states: Map<number, Promise<QueryGradientState>>;
  readonly jobs: Map<string, Promise<JobStatus | null>>;
}
const lookups = new WeakMap<GraphQLContext, RequestLookups>();

function gradientState(q: InfluenceQueryNode, ctx: GraphQLContext): Promise<QueryGradientState> {
  let seen = lookups.get(ctx);
  if (!seen) lookups.set(ctx, (seen = { states: new Map(), jobs: new Map() }));
  const { states, jobs } = seen;
  let state = states.get(q.rowId);
  if (!state) {
    const reader = {
      status(queue: QueueName, id: string): Promise<JobStatus | null> {
        let job = jobs.get(id);
        if (!job) jobs.set(id, (job = ctx.services.queries.jobStatus(queue, id)));
        return job;
      },
    };
    states.set(q.rowId, (state = ctx.services.queries.gradientState(q.record, reader)));
  }
  return state;
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

  @Field(() => Int, { nullable: true, description: 'hnsw.ef_search for the ANN stage (default max(100, 2 × explored candidates), at most 1 000).' })
  efSearch?: number;
}

/** Where new queries are computed: the model, the factor set and the projection spaces. */
@ArgsType()
class QueryComputationArgs {
  @Field(() => String, { description: 'Name of the registered model.' })
  model!: string;

  @Field(() => String, { description: 'Factor set to precondition with.' })
  factorSet!: string;

  @Field(() => [String], { description: 'Projection spaces to compute the query vectors in.' })
  spaces!: string[];

  @Field(() => Float, {
    nullable: true,
    description:
      'Damping of the preconditioned gradient, relative: λ_ℓ = damping × mean(Λ_ℓ) per layer (default 0.1). A score argument: any value works with the same fitted factor set, no refit. Recomputing a query under another damping replaces its vectors and drops its cached scores.',
  })
  damping?: number | null;
}

@ArgsType()
class CreateQueriesArgs extends QueryComputationArgs {
  @Field(() => [InfluenceQueryInput], { description: 'The queries (1–500).' })
  queries!: InfluenceQueryInput[];
}

@ArgsType()
class CreateQueriesFromJsonlArgs extends QueryComputationArgs {
  @Field(() => String, {
    description:
      'Queries as JSONL (1–500 lines): {"id", "prompt", "completion", "kind", "answerKeywords" or "answer", "tags" or "task"} per line, as `tracebase queries add --file` and the world’s queries.jsonl have them.',
  })
  jsonl!: string;
}

@ArgsType()
class ScoreCorpusArgs {
  @Field(() => [ID], { description: 'Influence queries (global IDs, one model; 1–500). EXACT scores them all in one pass over the corpus.' })
  queryIds!: string[];

  @Field(() => Int, {
    nullable: true,
    description:
      'EXACT: token-wise scores are kept for each query’s top-k and bottom-k documents (0–200, default 20); the others store totals and layer terms.',
  })
  tokenTopK?: number | null;

  @Field(() => String, { description: 'Projection space whose documents are scored.' })
  space!: string;

  @Field(() => String, { description: 'Factor set the queries’ gradients were preconditioned with.' })
  factorSet!: string;

  @Field(() => ScoreMethodEnum, {
    defaultValue: ScoreMethodEnum.PROJECTED,
    description:
      'PROJECTED: ⟨y_q, x_d⟩ of every document of the space (in SQL; fast). EXACT: the exact EK-FAC influence of every document (one pass: each document’s gradient is recomputed once for all the queries, one job per 100 documents).',
  })
  method!: ScoreMethodEnum;
}

/**
 * Cost units of one EXACT candidate: its gradient is recomputed through the model over its
 * tokens (up to the model's window) and contracted with M_ℓ(q) — about what 250 cheap fields
 * cost to serve.
 */
export const EXACT_CANDIDATE_COST = 250;

/**
 * Estimated cost of `topInfluences`: 10 + k × the cost of one edge, and for EXACT the engine's
 * work on top: min(max(2k, 20), 200) candidates × {@link EXACT_CANDIDATE_COST} (candidates ×
 * tokens, with every candidate priced at a full window).
 */
export function topInfluencesComplexity(args: Record<string, unknown>, childComplexity: number): number {
  const k = typeof args.k === 'number' ? args.k : 10;
  const base = 10 + k * Math.max(1, childComplexity);
  if (args.mode !== InfluenceModeEnum.EXACT) return base;
  return base + Math.min(Math.max(2 * k, 20), MAX_EXACT_CANDIDATES) * EXACT_CANDIDATE_COST;
}

@Resolver(() => InfluenceQueryType)
export class InfluenceQueryResolver {
  @Authorized('VIEWER')
  @Query(() => InfluenceQueryConnection, { description: 'Influence queries, by ascending id.', complexity: connectionComplexity })
  async influenceQueries(@Args(() => QueryPageArgs) args: QueryPageArgs, @Ctx() ctx: GraphQLContext) {
    const { first, afterId } = toPageRequest(args);
    const kind = args.kind === undefined || args.kind === null ? undefined : QUERY_KIND_FROM_GRAPHQL[args.kind];
    return toConnection(await ctx.services.queries.page({ kind }, afterId, first), toInfluenceQueryType);
  }

  @Authorized('VIEWER')
  @Query(() => InfluenceQueryType, { description: 'One influence query by global ID.' })
  async influenceQuery(@Arg('id', () => ID, { description: 'Global ID.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<InfluenceQueryNode> {
    const [found] = await ctx.services.queries.getMany([fromGlobalId(id, 'InfluenceQuery').id]);
    if (!found) throw new NotFoundError(`no influence query with ID ${id}`);
    return toInfluenceQueryType(found);
  }

  @FieldResolver(() => InfluenceRankingType, {
    description: 'The most influential documents for this query (docs/design.md "Mathematics: Two-stage retrieval").',
    complexity: ({ args, childComplexity }) => topInfluencesComplexity(args, childComplexity),
  })
  async topInfluences(
    @Root() q: InfluenceQueryNode,
    @Args(() => TopInfluencesArgs) args: TopInfluencesArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<InfluenceRankingType> {
    const ranking = await ctx.services.influenceSearch.topInfluences(q.rowId, {
      factorSet: args.factorSet,
      space: args.space,
      k: args.k,
      sign: INFLUENCE_SIGN_FROM_GRAPHQL[args.sign],
      mode: INFLUENCE_MODE_FROM_GRAPHQL[args.mode],
      normalize: INFLUENCE_NORMALIZATION_FROM_GRAPHQL[args.normalize],
      efSearch: args.efSearch ?? undefined,
    });
    return toInfluenceRankingType(ranking);
  }

  @FieldResolver(() => QueryGradientStatusEnum, { description: 'Where the query’s computation (nats, gradient, vectors, greedy answer) stands.' })
  async gradientStatus(@Root() q: InfluenceQueryNode, @Ctx() ctx: GraphQLContext): Promise<QueryGradientStatusEnum> {
    return QUERY_GRADIENT_STATUS_TO_GRAPHQL[(await gradientState(q, ctx)).status];
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The job’s error when gradientStatus is FAILED (or while a failed try waits for its retry); null otherwise.',
  })
  async gradientError(@Root() q: InfluenceQueryNode, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    return (await gradientState(q, ctx)).error;
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'Global ID of the compute-query-gradients job last queued for the query (see job(id)); null when it was computed in-process.',
  })
  async gradientJobId(@Root() q: InfluenceQueryNode, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    const { jobId } = await gradientState(q, ctx);
    return jobId === null ? null : toJobGlobalId(jobId);
  }

  @Authorized('CURATOR')
  @Mutation(() => [InfluenceQueryType], {
    description:
      'Create queries (1–500) and queue their computation: nats, the preconditioned gradient M under the factor set, the vectors in the given spaces, and the model’s greedy answer. Returns the queries at once with gradientStatus PENDING; a worker (in-process for the embedded server) computes them.',
  })
  async createInfluenceQueries(@Args(() => CreateQueriesArgs) args: CreateQueriesArgs, @Ctx() ctx: GraphQLContext): Promise<InfluenceQueryNode[]> {
    const { records } = await ctx.services.queries.submit(
      { model: args.model, factorSet: args.factorSet, spaces: args.spaces, damping: args.damping },
      args.queries.map(toQueryInputData),
    );
    return records.map(toInfluenceQueryType);
  }

  @Authorized('CURATOR')
  @Mutation(() => [InfluenceQueryType], {
    description: 'createInfluenceQueries for queries given as JSONL text (bulk); a bad line is named and nothing is stored.',
  })
  async createInfluenceQueriesFromJsonl(
    @Args(() => CreateQueriesFromJsonlArgs) args: CreateQueriesFromJsonlArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<InfluenceQueryNode[]> {
    const { records } = await ctx.services.queries.submitJsonl(
      { model: args.model, factorSet: args.factorSet, spaces: args.spaces, damping: args.damping },
      args.jsonl,
    );
    return records.map(toInfluenceQueryType);
  }

  @Authorized('CURATOR')
  @Mutation(() => ScoreCorpusResultType, {
    description:
      'Queue whole-corpus scoring of queries in a projection space (score-corpus jobs): the scores are cached, and the analyses (influenceCorrelation, influenceDistribution, answerInTopK, sourceOverRepresentation) use them once every query has every document (basis.cached).',
  })
  async scoreCorpus(@Args(() => ScoreCorpusArgs) args: ScoreCorpusArgs, @Ctx() ctx: GraphQLContext): Promise<ScoreCorpusResultType> {
    const plan = await ctx.services.corpusScoring.scoreCorpus({
      queryIds: args.queryIds.map((id) => fromGlobalId(id, 'InfluenceQuery').id),
      factorSet: args.factorSet,
      space: args.space,
      method: SCORE_METHOD_FROM_GRAPHQL[args.method],
      tokenTopK: args.tokenTopK ?? undefined,
    });
    return {
      method: SCORE_METHOD_TO_GRAPHQL[plan.method],
      documents: plan.documents,
      jobIds: plan.jobIds.map(toJobGlobalId),
      alreadyCached: plan.alreadyCached,
    };
  }
}
