import { createHash } from 'node:crypto';

import PgBoss from 'pg-boss';

import type { Database } from '../db/database.types';
import { COMPUTE_QUERY_GRADIENTS, DEAD_LETTER, PROJECT_DOCUMENTS, type QueueName, SCORE_CORPUS } from '../domain/queue-name';
import { pgBossDb } from './pg-boss.adapter';
import type { JobStatus } from '../domain/job-status';
import { JobLiveness, type LivenessOptions } from './job-liveness';
import { JOB_SCHEMA, PgBossTables, type ReclaimedJob } from './pg-boss-tables.adapter';

/** Retry policy of work queues: 3 retries, exponential backoff from 5 s. */
export const RETRY = { retryLimit: 3, retryDelay: 5, retryBackoff: true } as const;
/**
 * Project-documents jobs are idempotent and a worker killed while holding one (OOM, pre-empted
 * GPU machine) counts as a failed try: they get more retries before the dead-letter queue.
 */
export const PROJECT_RETRY = { ...RETRY, retryLimit: 10 } as const;

/** Queues whose jobs workers run (the dead-letter queue only stores). */
const WORK_QUEUES = [PROJECT_DOCUMENTS, COMPUTE_QUERY_GRADIENTS, SCORE_CORPUS] as const;

/** A deterministic job id (UUID layout) from a key: sending the same work twice is a no-op. */
export function jobIdFor(queue: string, key: string): string {
  const h = createHash('sha256').update(`${queue}\0${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The job queue: pg-boss (a Postgres-backed queue library) on Tracebase's database, on Postgres
 * for many workers on many machines, and on embedded PGlite in one process. Jobs retry with
 * backoff and land in the dead-letter queue with their error after the last retry. A job whose
 * worker died goes back to the queue within seconds ({@link JobLiveness}: the worker's
 * advisory lock is gone); on an embedded database, every job left active by the process that
 * had it open before goes back at start. The queue's expiry is the last resort only.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  /** pg-boss's tables and the job announcements (LISTEN/NOTIFY). */
  private readonly tables: PgBossTables;
  private started = false;
  /** pg-boss worker ids of this process, per queue (woken by {@link JOB_WAKE_CHANNEL}). */
  private readonly workerIds = new Map<string, string[]>();
  private unlisten: (() => Promise<void>) | null = null;
  /** Run by {@link stop} before the queue itself stops (e.g. a worker's background sweeps). */
  private readonly stopHooks: (() => Promise<void>)[] = [];
  /** This process's liveness lock, job leases and sweep. */
  readonly liveness: JobLiveness;
  /** Jobs this process returned to the queue because their holder was gone, by queue (for metrics). */
  readonly reclaimed = new Map<string, number>();

  constructor(
    private readonly database: Database,
    private readonly options: {
      pollingIntervalSeconds?: number;
      expireInSeconds?: number;
      maintenanceIntervalSeconds?: number;
      liveness?: LivenessOptions;
    } = {},
  ) {
    this.tables = new PgBossTables(database);
    this.liveness = new JobLiveness(database, this.tables, WORK_QUEUES, options.liveness);
    this.boss = new PgBoss({
      db: pgBossDb(database.sql),
      schema: JOB_SCHEMA,
      schedule: false,
      supervise: true,
      migrate: true,
      // maintenance is what hands expired jobs of dead workers back to the queue
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    });
    this.boss.on('error', (error: Error) => {
      process.stderr.write(`job queue: ${error.message}\n`);
    });
  }

  /** Installs or upgrades the queue's schema when needed and creates Tracebase's queues. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    const expireInSeconds = this.options.expireInSeconds ?? 15 * 60;
    const existing = new Set((await this.boss.getQueues()).map((q) => q.name));
    if (!existing.has(DEAD_LETTER)) await this.boss.createQueue(DEAD_LETTER, { name: DEAD_LETTER });
    if (!existing.has(PROJECT_DOCUMENTS)) {
      await this.boss.createQueue(PROJECT_DOCUMENTS, { name: PROJECT_DOCUMENTS, ...PROJECT_RETRY, expireInSeconds, deadLetter: DEAD_LETTER });
    }
    for (const queue of [COMPUTE_QUERY_GRADIENTS, SCORE_CORPUS]) {
      if (!existing.has(queue)) await this.boss.createQueue(queue, { name: queue, ...RETRY, expireInSeconds, deadLetter: DEAD_LETTER });
    }
    this.started = true;
    if (this.database.kind === 'pglite') {
      // the data-directory lock proves that no other process has this database open: every job
      // left active before this process started belongs to a process that stopped
      const jobs = await this.liveness.sweep('stopped (the embedded database was reopened by a new process)', 'before-database-start');
      await this.settleReclaimed(jobs);
    }
  }

  /** Fails reclaimed jobs whose retries are used up (to the dead-letter queue), counts and reports them. */
  private async settleReclaimed(jobs: readonly ReclaimedJob[]): Promise<void> {
    for (const job of jobs) {
      if (job.exhausted) await this.boss.fail(job.queue, job.id, { message: `${job.reason}; no retries left` });
      this.reclaimed.set(job.queue, (this.reclaimed.get(job.queue) ?? 0) + 1);
    }
    if (jobs.length) process.stderr.write(`job queue: ${jobs.length} job(s) returned to the queue: ${jobs[0]!.reason}\n`);
  }

  /** Returns to the queue now the active jobs whose holder is gone (what the periodic sweep does); returns them. */
  async reclaimNow(): Promise<ReclaimedJob[]> {
    const jobs = await this.liveness.sweep();
    await this.settleReclaimed(jobs);
    return jobs;
  }

  /** Active jobs that nobody holds now (their process stopped): they are being reclaimed. */
  orphaned(): Promise<number> {
    return this.liveness.orphans();
  }

  /**
   * Registers work to end when the queue stops, before the queue itself stops (its owner closes
   * the database next); a graceful stop waits for it.
   */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /**
   * Stops polling; with `graceful`, waits for running handlers to finish, at most `timeoutMs`
   * (at least 1 s): jobs still running then are released (failed as one try, retried after
   * the backoff), and this process's liveness lock is released last.
   */
  async stop(graceful = true, timeoutMs = 60_000): Promise<void> {
    if (!this.started) return;
    for (const hook of this.stopHooks.splice(0)) {
      const done = hook().catch(() => undefined);
      if (graceful) await done;
    }
    const unlisten = this.unlisten;
    this.unlisten = null;
    this.workerIds.clear();
    await unlisten?.().catch(() => undefined);
    await this.boss.stop({ graceful, wait: true, close: false, timeout: timeoutMs } as PgBoss.StopOptions);
    await this.liveness.stop();
    this.started = false;
  }

  /**
   * Sends jobs with deterministic ids from `key`; returns how many were new. New jobs are
   * announced on {@link JOB_WAKE_CHANNEL}, which wakes idle workers of every process.
   */
  async sendMany<T extends object>(queue: QueueName, jobs: readonly { key: string; data: T }[]): Promise<number> {
    let created = 0;
    for (const job of jobs) {
      const id = await this.boss.send(queue, job.data, { id: jobIdFor(queue, job.key), ...(queue === PROJECT_DOCUMENTS ? PROJECT_RETRY : RETRY) });
      if (id) {
        created++;
        // the first job wakes the workers while the rest is still being sent
        if (created === 1) await this.announce(queue);
      }
    }
    return created;
  }

  /** Wakes the idle workers of `queue` in every process (best effort: they also poll). */
  private async announce(queue: QueueName): Promise<void> {
    await this.tables.announce(queue);
  }

  /** Subscribes this process to job announcements once it runs workers. */
  private async listenForJobs(): Promise<void> {
    if (this.unlisten) return;
    try {
      this.unlisten = await this.tables.listenForAnnouncements((queue) => {
        for (const id of this.workerIds.get(queue) ?? []) this.boss.notifyWorker(id);
      });
    } catch (error) {
      process.stderr.write(`job queue: cannot listen for new jobs (${(error as Error).message}); workers poll instead\n`);
    }
  }

  /**
   * Runs `handler` for jobs of `queue`, `concurrency` at a time. A worker that has just finished
   * a job asks for the next one at once; only a worker that found none waits for the polling
   * interval (pg-boss otherwise waits out the rest of the interval after every job: with 2 s
   * and jobs of 0.2 s a worker idled 90 % of the time — bench:ingest, end to end 16 of the
   * engine's 150 documents/s). Idle workers wake when {@link sendMany} announces new jobs of
   * their queue, from this or any other process.
   */
  async work<T>(queue: QueueName, concurrency: number, handler: (data: T, jobId: string) => Promise<unknown>): Promise<void> {
    await this.listenForJobs();
    // take the liveness lock before the first job, and watch the other processes' locks
    await this.liveness.key();
    if (this.database.kind === 'postgres') {
      this.liveness.startSweeping(
        (jobs) => this.settleReclaimed(jobs),
        (error) => process.stderr.write(`job queue: liveness sweep failed: ${error.message}\n`),
      );
    }
    const ids = this.workerIds.get(queue) ?? [];
    this.workerIds.set(queue, ids);
    for (let i = 0; i < concurrency; i++) {
      // assigned after boss.work resolves; the handler may run before that, hence let and the undefined check
      let workerId: string | undefined;
      // eslint-disable-next-line prefer-const
      workerId = await this.boss.work<T>(queue, { pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2, batchSize: 1 }, async ([job]) => {
        if (!job) return undefined;
        try {
          await this.liveness.take(job.id, queue);
          return await handler(job.data, job.id);
        } finally {
          await this.liveness.release(job.id).catch(() => undefined);
          if (workerId !== undefined) this.boss.notifyWorker(workerId);
        }
      });
      ids.push(workerId);
    }
  }

  /** A job by id, live or archived (finished jobs move to pg-boss's archive after a while); null when unknown. */
  async status(queue: QueueName, id: string): Promise<JobStatus | null> {
    const job = await this.boss.getJobById(queue, id, { includeArchive: true });
    if (!job) return null;
    return {
      id: job.id,
      queue: job.name,
      state: job.state,
      retryCount: job.retryCount,
      output: job.output,
      createdOn: job.createdOn,
      completedOn: job.completedOn ?? null,
    };
  }

  /** Cancels jobs that have not completed. */
  async cancel(queue: QueueName, ids: string[]): Promise<void> {
    if (ids.length) await this.boss.cancel(queue, ids);
  }

  /** Jobs of a queue not yet completed, failed or cancelled. */
  async pending(queue: QueueName): Promise<number> {
    return this.boss.getQueueSize(queue, { before: 'completed' });
  }
}
