import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';

import { isClosedDatabaseError } from '../db/database.error';
import type { Database, SessionLock } from '../db/database.types';
import { LEASE_LOCK_NAMESPACE, type PgBossTables, type ReclaimedJob } from './pg-boss-tables.adapter';

/** Timing of the liveness mechanism (docs/operations.md "Liveness of jobs"). */
export interface LivenessOptions {
  /** Seconds between two sweeps of a working process (Postgres). Default 5. */
  readonly sweepIntervalSeconds?: number;
  /**
   * An active job with no lease is left alone this many seconds after it started (a live worker
   * records its lease milliseconds after taking the job). Default 15.
   */
  readonly unleasedGraceSeconds?: number;
}

/** Attempts at drawing a lease key that no other live process holds. */
const KEY_ATTEMPTS = 16;

/**
 * How a worker process shows it is alive, and how the others notice when it is not
 * (docs/operations.md "Liveness of jobs"). The process holds a session-level advisory lock
 * (LEASE_LOCK_NAMESPACE, key) for as long as it lives (Postgres ends the lock with the
 * session, so kill -9, an OOM kill or a lost machine all release it) and records its key on
 * every job it takes (table job_leases). Every working process sweeps every few seconds: an
 * `active` job whose lease's lock is no longer held anywhere goes back to the queue at once,
 * with the reason recorded. pg-boss's expiry stays as the last resort only.
 */
export class JobLiveness {
  /** host:pid, recorded on the jobs this process takes. */
  readonly worker = `${hostname()}:${process.pid}`;
  private lock: SessionLock | null = null;
  private locking: Promise<SessionLock> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> | null = null;
  private readonly sweepIntervalSeconds: number;
  readonly unleasedGraceSeconds: number;

  constructor(
    private readonly database: Pick<Database, 'tryAdvisoryLock'>,
    private readonly tables: PgBossTables,
    private readonly queues: readonly string[],
    options: LivenessOptions = {},
  ) {
    this.sweepIntervalSeconds = options.sweepIntervalSeconds ?? 5;
    this.unleasedGraceSeconds = options.unleasedGraceSeconds ?? 15;
  }

  /** The lease key of this process (takes its advisory lock on first use). */
  async key(): Promise<number> {
    return (await this.ensureLock()).key;
  }

  /** Records that this process took `jobId` of `queue`. */
  async take(jobId: string, queue: string): Promise<void> {
    await this.tables.takeLease(jobId, queue, this.worker, await this.key());
  }

  /** Ends this process's lease of `jobId` (after the job finished or failed). */
  async release(jobId: string): Promise<void> {
    if (this.lock) await this.tables.releaseLease(jobId, this.lock.key);
  }

  /**
   * Returns to the queue the active jobs nobody holds; `unleasedGraceSeconds` overrides the
   * grace of jobs without a lease (`'before-database-start'` on an embedded database reopened).
   */
  async sweep(
    reason = 'stopped (its liveness lock is gone: the process or its connection died)',
    unleasedGraceSeconds?: number | 'before-database-start',
  ): Promise<ReclaimedJob[]> {
    return this.tables.reclaimOrphans({ queues: this.queues, unleasedGraceSeconds: unleasedGraceSeconds ?? this.unleasedGraceSeconds, reason });
  }

  /** How many active jobs nobody holds now (what the next sweep reclaims). */
  orphans(): Promise<number> {
    return this.tables.orphanCount({ queues: this.queues, unleasedGraceSeconds: this.unleasedGraceSeconds });
  }

  /** Sweeps now and every `sweepIntervalSeconds` until {@link stop}, handing what it reclaimed to `onReclaimed`. */
  startSweeping(onReclaimed: (jobs: ReclaimedJob[]) => Promise<void>, onError: (error: Error) => void): void {
    if (this.timer) return;
    const sweepOnce = () => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .then((jobs) => (jobs.length ? onReclaimed(jobs) : undefined))
        .catch((error: Error) => {
          // the database was closed under a queue nobody stopped: nothing left to sweep
          if (isClosedDatabaseError(error)) {
            if (this.timer) clearInterval(this.timer);
            this.timer = null;
          } else onError(error);
        })
        .finally(() => (this.sweeping = null));
    };
    this.timer = setInterval(sweepOnce, this.sweepIntervalSeconds * 1000);
    this.timer.unref();
    // a worker starting after a crash takes the dead worker's jobs back at once
    sweepOnce();
  }

  /** Stops sweeping and releases the lock (after this process's jobs were finished or released). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
    const lock = this.lock ?? (await this.locking?.catch(() => null));
    this.lock = null;
    this.locking = null;
    await lock?.release().catch(() => undefined);
  }

  private ensureLock(): Promise<SessionLock> {
    if (this.lock) return Promise.resolve(this.lock);
    if (!this.locking) {
      this.locking = (async () => {
        for (let i = 0; i < KEY_ATTEMPTS; i++) {
          const lock = await this.database.tryAdvisoryLock(LEASE_LOCK_NAMESPACE, randomInt(1, 2 ** 31 - 1));
          if (lock) {
            this.lock = lock;
            return lock;
          }
        }
        throw new Error('could not take a liveness lock: every key tried is held by another session');
      })().finally(() => (this.locking = null));
    }
    return this.locking;
  }
}
