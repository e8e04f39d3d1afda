import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType('JobStates', { description: 'Jobs of an ingestion by state.' })
export class JobStatesType {
  @Field(() => Int, { description: 'Queued.' })
  created!: number;

  @Field(() => Int, { description: 'Waiting to be retried after a failure or a lost worker.' })
  retry!: number;

  @Field(() => Int, { description: 'Running on a worker.' })
  active!: number;

  @Field(() => Int, { description: 'Done.' })
  completed!: number;

  @Field(() => Int, { description: 'Cancelled.' })
  cancelled!: number;

  @Field(() => Int, { description: 'Failed after the last retry (in the dead-letter queue with the error).' })
  failed!: number;
}

@ObjectType('Ingestion', { description: 'Projection of a corpus into a projection space by the workers.' })
export class IngestionType {
  @Field(() => String, { description: 'Corpus name.' })
  corpus!: string;

  @Field(() => String, { description: 'Projection space name.' })
  space!: string;

  @Field(() => Int, { description: 'Documents projected so far.' })
  projected!: number;

  @Field(() => Int, { description: 'Documents in the corpus.' })
  total!: number;

  @Field(() => JobStatesType, { description: 'Batch jobs by state.' })
  jobs!: JobStatesType;

  @Field(() => Boolean, { description: 'Whether the space has its HNSW index.' })
  indexed!: boolean;

  @Field(() => Float, {
    nullable: true,
    description:
      'Documents stored per second, over the last 20 batch commits of the last 5 minutes (to now while jobs are left, so it falls when workers stall; to the last commit once none is left). Null until two batches were stored in that window.',
  })
  documentsPerSecond!: number | null;

  @Field(() => Float, { nullable: true, description: 'Tokens of the stored documents per second, over the same window; null when documentsPerSecond is.' })
  tokensPerSecond!: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Estimated seconds to finish: documents not yet projected / documentsPerSecond, rounded up. Null when the rate is unknown or no job is left to run.',
  })
  etaSeconds!: number | null;
}

@ObjectType('CorpusImportReport', { description: 'What an import did.' })
export class CorpusImportReportType {
  @Field(() => String, { description: 'Corpus name.' })
  corpus!: string;

  @Field(() => Int, { description: 'Lines read.' })
  lines!: number;

  @Field(() => Int, { description: 'New documents stored.' })
  accepted!: number;

  @Field(() => Int, { description: 'Lines whose id was stored with the same text.' })
  unchanged!: number;

  @Field(() => Int, { description: 'Lines whose id was stored with another text (not overwritten).' })
  conflicts!: number;

  @Field(() => Int, { description: 'Lines rejected.' })
  rejected!: number;

  @Field(() => [String], { description: 'The first report entries: "line N: reason".' })
  report!: string[];
}
