import { Field, ObjectType } from 'type-graphql';

import { InvalidInputError } from '../../errors/tracebase.error';
import type { Page } from '../../services/page';
import type { JobPosition, JobView } from '../../services/job.service';
import { PageInfoType } from '../relay/connection.type';
import { JobType } from './job.type';

@ObjectType('JobEdge', { description: 'One job in a page, with its cursor.' })
export class JobEdgeType {
  @Field(() => String, { description: 'Cursor of this job.' })
  cursor!: string;

  @Field(() => JobType, { description: 'The job.' })
  node!: JobType;
}

@ObjectType('JobConnection', { description: 'A page of jobs (Relay connection, newest first: by creation time, then id).' })
export class JobConnectionType {
  @Field(() => [JobEdgeType], { description: 'The jobs of this page.' })
  edges!: JobEdgeType[];

  @Field(() => PageInfoType, { description: 'Whether more jobs follow, and the cursor to ask for them.' })
  pageInfo!: PageInfoType;
}

/** Cursor of a job: base64url of `job:<created µs>:<uuid>`. */
export function encodeJobCursor(p: JobPosition): string {
  return Buffer.from(`job:${p.createdMicros}:${p.id}`, 'utf8').toString('base64url');
}

/** Decodes an `after` cursor of the jobs connection; BAD_USER_INPUT otherwise. */
export function decodeJobCursor(cursor: string): JobPosition {
  const text = /^[A-Za-z0-9_-]{1,100}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^job:(-?\d{1,19}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(text);
  if (!match) throw new InvalidInputError(`after "${cursor.slice(0, 60)}" is not a cursor of the jobs connection`, { argument: 'after' });
  return { createdMicros: match[1]!, id: match[2]! };
}

/** The connection object of a page of jobs. */
export function toJobConnection(page: Page<JobView>, toNode: (job: JobView) => JobType): JobConnectionType {
  const last = page.items[page.items.length - 1];
  return {
    edges: page.items.map((job) => ({ cursor: encodeJobCursor(job.position), node: toNode(job) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeJobCursor(last.position) : null },
  };
}
