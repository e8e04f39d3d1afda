import { Args, ArgsType, Authorized, Ctx, Field, ID, Query, Resolver } from 'type-graphql';

import type { QueueName } from '../../domain/queue-name';
import type { GraphQLContext } from '../context';
import { JOB_STATE_FROM_GRAPHQL } from '../mappers/enum.mapper';
import { toJobType } from '../mappers/job.mapper';
import { connectionComplexity, PageArgs, toPageRequest } from '../relay/page-args';
import { decodeJobCursor, JobConnectionType, toJobConnection } from '../types/job-connection.type';
import { fromJobGlobalId } from '../types/job-global-id';
import { JobQueueEnum, JobStateEnum, JobType } from '../types/job.type';

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
  @Query(() => JobConnectionType, {
    description: 'Jobs of the job queue, newest first (live ones, and archived ones until the queue deletes them).',
    complexity: connectionComplexity,
  })
  async jobs(@Args(() => JobPageArgs) args: JobPageArgs, @Ctx() ctx: GraphQLContext): Promise<JobConnectionType> {
    const { first } = toPageRequest({ first: args.first });
    const after = args.after === undefined || args.after === null ? null : decodeJobCursor(args.after);
    const filter = {
      ...(args.state ? { state: JOB_STATE_FROM_GRAPHQL[args.state] } : {}),
      ...(args.queue ? { queue: args.queue } : {}),
    };
    return toJobConnection(await ctx.services.jobs.page(filter, after, first), toJobType);
  }
}
