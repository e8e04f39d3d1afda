import { Args, ArgsType, Authorized, Field, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';

import type { IngestionStatus } from '../../services/ingestion.service';
import type { JobView } from '../../services/job.service';
import type { GraphQLContext } from '../context';
import { fromJobGlobalId } from '../types/job-global-id';
import { JobType } from '../types/job.type';
import { IngestionType } from '../types/ingestion.type';
import { IngestionArgs, toIngestionType } from './ingestion.resolver';
import { toJobType } from '../mappers/job.mapper';

@ArgsType()
class JobProgressArgs {
  @Field(() => ID, { description: 'Global ID of the job.' })
  id!: string;
}

type Data<A> = SubscribeResolverData<unknown, A, GraphQLContext>;

/**
 * Live progress over graphql-ws: each subscription gets the current value, then every change,
 * and completes when the work is over. Polling lives in {@link JobProgressService}.
 */
@Resolver()
export class JobProgressResolver {
  @Authorized('VIEWER')
  @Subscription(() => IngestionType, {
    description:
      'Progress of a corpus’s projection into a space: the current state, then each change (documents projected, job states, index), with rate and ETA; completes when no job of the ingestion is left to run (at once if none is).',
    subscribe: async ({ args, context }: Data<IngestionArgs>) => {
      const space = await context.services.projectionSpaces.byName(args.model, args.space);
      return context.services.jobProgress.watchIngestion(args.corpus, space);
    },
  })
  ingestionProgress(@Root() status: IngestionStatus, @Args(() => IngestionArgs) args: IngestionArgs): IngestionType {
    return toIngestionType(args.corpus, args.space, status);
  }

  @Authorized('VIEWER')
  @Subscription(() => JobType, {
    description: 'A job: its current state, then each change (state, retries, documents stored); completes when it has completed, failed or been cancelled.',
    subscribe: ({ args, context }: Data<JobProgressArgs>) => context.services.jobProgress.watchJob(fromJobGlobalId(args.id)),
  })
  jobProgress(@Root() job: JobView, @Args(() => JobProgressArgs) _args: JobProgressArgs): JobType {
    return toJobType(job);
  }
}
