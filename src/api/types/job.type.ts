import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

import { DEAD_LETTER, PROJECT_DOCUMENTS, QUEUES } from '../../domain/queue-name';

/** GraphQL names of the queue library's job states. */
export enum JobStateEnum {
  CREATED = 'CREATED',
  RETRY = 'RETRY',
  ACTIVE = 'ACTIVE',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  FAILED = 'FAILED',
}
registerEnumType(JobStateEnum, {
  name: 'JobState',
  description: 'Where a job is in its life (the job queue’s states).',
  valuesConfig: {
    CREATED: { description: 'Queued, waiting for a worker.' },
    RETRY: { description: 'A try failed (or its worker was lost); waiting to be retried after a backoff.' },
    ACTIVE: { description: 'Running on a worker.' },
    COMPLETED: { description: 'Done.' },
    CANCELLED: { description: 'Cancelled before it finished.' },
    FAILED: { description: 'Failed after its last retry; a copy with the error waits in the dead-letter queue.' },
  },
});

/** GraphQL name of a queue: `tracebase.project-documents` → `PROJECT_DOCUMENTS`. */
export function queueEnumName(queue: string): string {
  return queue
    .replace(/^tracebase\./, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

const QUEUE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [PROJECT_DOCUMENTS]: 'One batch of an ingestion: project a corpus’s documents into a projection space.',
  [DEAD_LETTER]: 'A job that failed after its last retry, with its input and error (never run again).',
};

/**
 * Tracebase's queues as a GraphQL enum, one value per queue of `QUEUES` (a new queue gets its
 * value by itself); each value's internal value is the queue's name.
 */
export const JobQueueEnum: Readonly<Record<string, string>> = Object.fromEntries(QUEUES.map((q) => [queueEnumName(q), q]));
registerEnumType(JobQueueEnum, {
  name: 'JobQueue',
  description: 'What kind of work a job is (the queue it is in).',
  valuesConfig: Object.fromEntries(QUEUES.map((q) => [queueEnumName(q), { description: QUEUE_DESCRIPTIONS[q] ?? `Jobs of the queue ${q}.` }])),
});

@ObjectType('JobInput', { description: 'What a job works on, from its payload: a projection batch’s corpus, space and documents.' })
export class JobInputType {
  @Field(() => String, { nullable: true, description: 'Corpus name (null when the corpus was deleted).' })
  corpus!: string | null;

  @Field(() => ID, { nullable: true, description: 'Global ID of the corpus.' })
  corpusId!: string | null;

  @Field(() => String, { nullable: true, description: 'Projection space name (null when the space was deleted).' })
  space!: string | null;

  @Field(() => String, { nullable: true, description: 'Name of the model the space belongs to.' })
  model!: string | null;

  @Field(() => Int, { description: 'Documents in the batch.' })
  documentCount!: number;
}

@ObjectType('JobProgress', { description: 'How far a projection batch is: its documents with a stored vector in the space.' })
export class JobProgressType {
  @Field(() => Int, { description: 'Documents of the batch with a stored vector in the space (a batch is stored in one transaction: 0 until it commits).' })
  projected!: number;

  @Field(() => Int, { description: 'Documents in the batch.' })
  total!: number;
}

@ObjectType('JobResult', { description: 'What a completed projection batch did.' })
export class JobResultType {
  @Field(() => Int, { description: 'Documents projected and stored.' })
  projected!: number;

  @Field(() => Int, { description: 'Documents skipped: fewer than 2 tokens, nothing to differentiate.' })
  skipped!: number;

  @Field(() => Int, { description: 'Document ids of the batch no longer in the database.' })
  missing!: number;

  @Field(() => Int, { description: 'Tokens of the projected documents.' })
  tokens!: number;
}

@ObjectType('Job', {
  description: 'A job of the job queue (pg-boss): a unit of work for the workers, retried with backoff, dead-lettered after its last retry.',
})
export class JobType {
  @Field(() => ID, { description: 'Global ID (encodes the queue’s job id).' })
  id!: string;

  @Field(() => String, { description: 'The job queue’s own id of the job (a UUID; deterministic for projection batches).' })
  jobId!: string;

  @Field(() => JobQueueEnum, { description: 'Kind of work (queue).' })
  queue!: string;

  @Field(() => String, { description: 'Name of the queue in the job queue, e.g. tracebase.project-documents.' })
  queueName!: string;

  @Field(() => JobStateEnum, { description: 'State.' })
  state!: JobStateEnum;

  @Field(() => Int, { description: 'Retries started so far (0 during the first try; a failed try waiting in RETRY counts once its retry starts).' })
  retryCount!: number;

  @Field(() => Int, { description: 'Retries allowed before the job fails for good.' })
  retryLimit!: number;

  @Field(() => Date, { description: 'When it was queued.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When its current (or last) try started.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it completed, failed or was cancelled.' })
  completedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Error message of the last failed try (failed, retried and dead-lettered jobs); null otherwise.' })
  error!: string | null;

  @Field(() => JobInputType, {
    nullable: true,
    description: 'What the job works on (jobs whose payload lists documents: projection batches and their dead letters).',
  })
  input!: JobInputType | null;

  @Field(() => JobProgressType, { nullable: true, description: 'Documents of the batch stored so far (projection batches only).' })
  progress!: JobProgressType | null;

  @Field(() => JobResultType, { nullable: true, description: 'What the job did (completed projection batches only).' })
  result!: JobResultType | null;

  @Field(() => Boolean, { description: 'Whether the job queue has archived the job (finished jobs, after its retention time).' })
  archived!: boolean;
}
