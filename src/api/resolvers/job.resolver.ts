import { Args, ArgsType, Authorized, Ctx, Field, ID, Query, Resolver } from 'type-graphql';

import type { QueueName } from '../../domain/queue-name';
import type { JobState } from '../../domain/job-state';
import type { JobView } from '../../services/job.service';
import type { GraphQLContext } from '../context';
import { toGlobalId } from '../relay/global-id';
import { connectionComplexity, PageArgs, toPageRequest } from '../relay/page-args';
import { decodeJobCursor, JobConnectionType, toJobConnection } from '../types/job-connection.type';
import { fromJobGlobalId, toJobGlobalId } from '../types/job-global-id';
import { JobQueueEnum, JobStateEnum, JobType } from '../types/job.type';

/** A job as the GraphQL type. */
export function toJobType(j: JobView): JobType {
  const b = j.batch;
  return {
    id: toJobGlobalId(j.id),
    jobId: j.id,
    queue: j.queue,
    queueName: j.queue,
    state: j.state.toUpperCase() as JobStateEnum,
    retryCount: j.retryCount,
    retryLimit: j.retryLimit,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    completedAt: j.completedAt,
    error: j.error,
    input: b
      ? { corpus: b.corpusName, corpusId: b.corpusId === null ? null : toGlobalId('Corpus', b.corpusId), space: b.spaceName, model: b.modelName, documentCount: b.documentCount }
      : null,
    progress: b && b.projected !== null ? { projected: b.projected, total: b.documentCount } : null,
    result: j.outcome,
    archived: j.archived,
  };
}

@ArgsType()
class JobByIdArgs {
  @Field(() => ID, { description: 'Global ID of the job.' })
  id!: string;
}

@ArgsType()
class JobPageArgs extends PageArgs {
  @Field(() => JobStateEnum, { nullable: true, description: 'Only jobs in this state.' })
  state?: JobStateEnum;

  @Field(() => JobQueueEnum, { nullable: true, description: 'Only jobs of this queue.' })
  queue?: QueueName;
}

@Resolver(() => JobType)
export class JobResolver {
  @Authorized('VIEWER')
  @Query(() => JobType, { description: 'One job by global ID.' })
  async job(@Args(() => JobByIdArgs) { id }: JobByIdArgs, @Ctx() ctx: GraphQLContext): Promise<JobType> {
    return toJobType(await ctx.services.jobs.get(fromJobGlobalId(id)));
  }

  @Authorized('VIEWER')
  @Query(() => JobConnectionType, { description: 'Jobs of the job queue, newest first (live ones, and archived ones until the queue deletes them).', complexity: connectionComplexity })
  async jobs(@Args(() => JobPageArgs) args: JobPageArgs, @Ctx() ctx: GraphQLContext): Promise<JobConnectionType> {
    const { first } = toPageRequest({ first: args.first });
    const after = args.after === undefined || args.after === null ? null : decodeJobCursor(args.after);
    const filter = {
      ...(args.state ? { state: args.state.toLowerCase() as JobState } : {}),
      ...(args.queue ? { queue: args.queue } : {}),
    };
    return toJobConnection(await ctx.services.jobs.page(filter, after, first), toJobType);
  }
}
