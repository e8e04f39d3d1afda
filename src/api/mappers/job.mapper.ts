import type { JobView } from '../../services/job.service';
import { toGlobalId } from '../relay/global-id';
import { toJobGlobalId } from '../types/job-global-id';
import type { JobType } from '../types/job.type';
import { JOB_STATE_TO_GRAPHQL } from './enum.mapper';

/** A job as the GraphQL type. */
export function toJobType(j: JobView): JobType {
  const b = j.batch;
  return {
    id: toJobGlobalId(j.id),
    jobId: j.id,
    queue: j.queue,
    queueName: j.queue,
    state: JOB_STATE_TO_GRAPHQL[j.state],
    retryCount: j.retryCount,
    retryLimit: j.retryLimit,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    completedAt: j.completedAt,
    error: j.error,
    input: b
      ? {
          corpus: b.corpusName,
          corpusId: b.corpusId === null ? null : toGlobalId('Corpus', b.corpusId),
          space: b.spaceName,
          model: b.modelName,
          documentCount: b.documentCount,
        }
      : null,
    progress: b && b.projected !== null ? { projected: b.projected, total: b.documentCount } : null,
    result: j.outcome,
    archived: j.archived,
  };
}
