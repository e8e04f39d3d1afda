import type { JobState } from './job-state';

/** A job as reported to users. */
export interface JobStatus {
  readonly id: string;
  readonly queue: string;
  readonly state: JobState;
  readonly retryCount: number;
  readonly output: unknown;
  readonly createdOn: Date;
  readonly completedOn: Date | null;
}
