/** Where a query's computation stands: PENDING (queued or running), READY, or FAILED (with the job's error). */
export type QueryGradientStatus = 'PENDING' | 'READY' | 'FAILED';

/** A query's computation state, from its job (pg-boss) and what is stored. */
export interface QueryGradientState {
  readonly status: QueryGradientStatus;
  /** The last failed try's message (FAILED; also while a failed try waits for its retry). */
  readonly error: string | null;
  /** pg-boss id of the job last queued for the query (null: computed in-process, or never). */
  readonly jobId: string | null;
}
