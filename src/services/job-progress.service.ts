import type { ProjectionSpaceRecord } from '../domain/projection-space.record';
import type { IngestionService, IngestionStatus } from './ingestion.service';
import type { JobService, JobView } from './job.service';
import { PollingHub } from './polling-hub';

/** Default pause between two polls of one watched ingestion or job. */
export const PROGRESS_POLL_MS = 1000;

/** Whether an ingestion has no job left to run (all completed, cancelled or failed — or none). */
export function ingestionFinished(s: IngestionStatus): boolean {
  return s.jobs.created + s.jobs.retry + s.jobs.active === 0;
}

/** Whether a job will not change state any more. */
export function jobFinished(j: JobView): boolean {
  return j.state === 'completed' || j.state === 'cancelled' || j.state === 'failed';
}

/**
 * Live progress of ingestions and jobs, for subscriptions: each watched ingestion (or job) is
 * polled once per interval however many clients watch it, and a client gets the current value
 * first, then every change, and the stream completes when the ingestion has no unfinished job
 * (or the job has finished). Rates and ETA change with the clock alone, so they are sent with each
 * change but do not count as one.
 */
export class JobProgressService {
  private readonly hub: PollingHub;

  constructor(
    private readonly ingestion: IngestionService,
    private readonly jobs: JobService,
    options: { intervalMs?: number } = {},
  ) {
    this.hub = new PollingHub(options.intervalMs ?? PROGRESS_POLL_MS);
  }

  /** The ingestion of corpus `corpusName` into `space`: its status now, then on each change. */
  watchIngestion(corpusName: string, space: ProjectionSpaceRecord): Promise<AsyncIterableIterator<IngestionStatus>> {
    return this.hub.watch(`ingestion:${space.id}:${corpusName}`, {
      fetch: () => this.ingestion.status(corpusName, space),
      fingerprint: (s) => JSON.stringify([s.projected, s.total, s.jobs, s.indexed]),
      isFinal: ingestionFinished,
    });
  }

  /** One job (by pg-boss id): its state now, then on each change of state, retries or progress. */
  watchJob(id: string): Promise<AsyncIterableIterator<JobView>> {
    return this.hub.watch(`job:${id.toLowerCase()}`, {
      fetch: () => this.jobs.get(id),
      fingerprint: (j) => JSON.stringify([j.state, j.retryCount, j.startedAt, j.completedAt, j.error, j.batch?.projected ?? null, j.archived]),
      isFinal: jobFinished,
    });
  }

  /** Ingestions and jobs being polled now (0 once every watcher has gone). */
  get activeWatches(): number {
    return this.hub.activeFeeds;
  }

  /** Completes every watcher and stops polling (process shutdown). */
  close(): void {
    this.hub.close();
  }
}
