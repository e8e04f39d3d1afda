import { Args, ArgsType, Authorized, Ctx, Field, Int, Mutation, Query, Resolver } from 'type-graphql';

import type { IngestionStatus } from '../../services/ingestion.service';
import type { GraphQLContext } from '../context';
import { CorpusImportReportType, IngestionType } from '../types/ingestion.type';

/** Which ingestion: a corpus into a model's projection space. */
@ArgsType()
export class IngestionArgs {
  @Field(() => String, { description: 'Corpus name.' })
  corpus!: string;

  @Field(() => String, { description: 'Registered model name.' })
  model!: string;

  @Field(() => String, { description: 'Projection space name.' })
  space!: string;
}

@ArgsType()
class StartIngestionArgs extends IngestionArgs {
  @Field(() => Int, { defaultValue: 8, description: 'Per-layer rank r_o = r_i of a new space.' })
  rank!: number;

  @Field(() => Int, { defaultValue: 512, description: 'Most sketch dimensions of a new space (≤ 4000).' })
  sketchDims!: number;

  @Field(() => Int, { defaultValue: 0, description: 'Seed of a new space.' })
  seed!: number;

  @Field(() => Int, { defaultValue: 32, description: 'Documents per job.' })
  batchSize!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Make a new space from the eigenbases of this factor set (closer to the exact influence; re-ingest after refitting) instead of random matrices.',
  })
  eigenbasisFactorSet?: string;
}

@ArgsType()
class ImportCorpusArgs {
  @Field(() => String, { description: 'Corpus name (created if new).' })
  name!: string;

  @Field(() => String, { description: 'JSONL file, relative to the server’s import directory (TRACEBASE_IMPORT_DIR).' })
  file!: string;
}

/** An ingestion's status as the GraphQL type. */
export function toIngestionType(corpus: string, space: string, s: IngestionStatus): IngestionType {
  return {
    corpus,
    space,
    projected: s.projected,
    total: s.total,
    jobs: s.jobs,
    indexed: s.indexed,
    documentsPerSecond: s.documentsPerSecond,
    tokensPerSecond: s.tokensPerSecond,
    etaSeconds: s.etaSeconds,
  };
}

@Resolver()
export class IngestionResolver {
  @Authorized('VIEWER')
  @Query(() => IngestionType, { description: 'Progress of a corpus’s projection into a space.' })
  async ingestion(@Args(() => IngestionArgs) args: IngestionArgs, @Ctx() ctx: GraphQLContext): Promise<IngestionType> {
    return toIngestionType(args.corpus, args.space, await ctx.services.ingestion.statusByName(args.corpus, args.model, args.space));
  }

  @Authorized('CURATOR')
  @Mutation(() => IngestionType, {
    description:
      'Queue the projection of every document of a corpus (the space is created if new); workers process it. Starting again queues only what is missing.',
  })
  async startIngestion(@Args(() => StartIngestionArgs) args: StartIngestionArgs, @Ctx() ctx: GraphQLContext): Promise<IngestionType> {
    const { status } = await ctx.services.ingestion.startIngestion({
      corpus: args.corpus,
      batchSize: args.batchSize,
      modelName: args.model,
      name: args.space,
      outRank: args.rank,
      inRank: args.rank,
      sketchDims: args.sketchDims,
      seed: args.seed,
      ...(args.eigenbasisFactorSet ? { kind: 'eigenbasis' as const, factorSetName: args.eigenbasisFactorSet } : {}),
    });
    return toIngestionType(args.corpus, args.space, status);
  }

  @Authorized('CURATOR')
  @Mutation(() => IngestionType, { description: 'Cancel an ingestion’s unfinished jobs (stored vectors stay).' })
  async cancelIngestion(@Args(() => IngestionArgs) args: IngestionArgs, @Ctx() ctx: GraphQLContext): Promise<IngestionType> {
    return toIngestionType(args.corpus, args.space, await ctx.services.ingestion.cancelByName(args.corpus, args.model, args.space));
  }

  @Authorized('CURATOR')
  @Mutation(() => CorpusImportReportType, { description: 'Import a JSONL file from the server’s import directory into a corpus.' })
  async importCorpus(@Args(() => ImportCorpusArgs) args: ImportCorpusArgs, @Ctx() ctx: GraphQLContext): Promise<CorpusImportReportType> {
    const s = await ctx.services.corpusImport.importFromDirectory(ctx.importDir, args.name, args.file);
    return {
      corpus: args.name,
      lines: s.lines,
      accepted: s.accepted,
      unchanged: s.unchanged,
      conflicts: s.conflicts,
      rejected: s.rejected,
      report: s.report.slice(0, 100).map((r) => `line ${r.line}: ${r.reason}`),
    };
  }
}
