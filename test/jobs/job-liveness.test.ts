import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import PgBoss from 'pg-boss';

import type { Database } from '../../src/db/database.types';
import { applyMigrations } from '../../src/db/migration-runner';
import { openPgliteDatabase } from '../../src/db/pglite.database';
import { DEAD_LETTER, SCORE_CORPUS } from '../../src/domain/queue-name';
import { JobQueue, jobIdFor } from '../../src/jobs/job-queue';
import { JOB_SCHEMA, LEASE_LOCK_NAMESPACE, PgBossTables } from '../../src/jobs/pg-boss-tables.adapter';
import { pgBossDb } from '../../src/jobs/pg-boss.adapter';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

jest.setTimeout(120_000);

/** A pg-boss client that only fetches: stands for a worker process that takes a job and then dies. */
async function fetcher(db: Database): Promise<PgBoss> {
  const boss = new PgBoss({ db: pgBossDb(db.sql), schema: JOB_SCHEMA, schedule: false, supervise: false, migrate: false });
  boss.on('error', () => undefined);
  await boss.start();
  return boss;
}

async function jobRow(db: Database, id: string): Promise<{ state: string; retry_count: number; output: { value?: { message?: string } } | null }> {
  const [row] = await db.sql.query<{ state: string; retry_count: number; output: { value?: { message?: string } } | null }>(
    `SELECT state::text AS state, retry_count, output FROM ${JOB_SCHEMA}.job WHERE id = $1::uuid`,
    [id],
  );
  return row!;
}

describe.each(testBackends())('job liveness on %s', (kind) => {
  let scratch: ScratchDatabase;
  let queue: JobQueue;
  let boss: PgBoss;
  let tables: PgBossTables;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    queue = new JobQueue(scratch.db, { pollingIntervalSeconds: 60, liveness: { unleasedGraceSeconds: 3600 } });
    await queue.start();
    boss = await fetcher(scratch.db);
    tables = new PgBossTables(scratch.db);
  });
  afterAll(async () => {
    await boss.stop({ graceful: false, wait: true, close: false } as PgBoss.StopOptions).catch(() => undefined);
    await queue.stop(false);
    await scratch.drop();
  });

  it('leaves a job whose holder still holds its lock, and reclaims it, with the reason, once the lock is gone', async () => {
    await queue.sendMany(SCORE_CORPUS, [{ key: 'held', data: { n: 1 } }]);
    const id = jobIdFor(SCORE_CORPUS, 'held');
    const [job] = await boss.fetch(SCORE_CORPUS);
    expect(job?.id).toBe(id);
    // the holder: a live advisory lock (on Postgres, another session) and the lease naming it
    const lock = await scratch.db.tryAdvisoryLock(LEASE_LOCK_NAMESPACE, 4242);
    expect(lock).not.toBeNull();
    await tables.takeLease(id, SCORE_CORPUS, 'host-a:1', 4242);
    expect(await queue.orphaned()).toBe(0);
    expect(await queue.reclaimNow()).toEqual([]);
    expect((await jobRow(scratch.db, id)).state).toBe('active');

    // the holder dies: its lock goes with its session
    await lock!.release();
    expect(await queue.orphaned()).toBe(1);
    const reclaimed = await queue.reclaimNow();
    expect(reclaimed).toEqual([{ id, queue: SCORE_CORPUS, exhausted: false, reason: expect.stringMatching(/^reclaimed: worker host-a:1 stopped/) }]);
    const row = await jobRow(scratch.db, id);
    expect(row.state).toBe('retry');
    expect(row.output?.value?.message).toMatch(/reclaimed: worker host-a:1 stopped/);
    expect(await tables.leaseOf(id)).toEqual({ worker: null, lockKey: null, reclaimCount: 1, reclaimReason: expect.stringMatching(/host-a:1/) });
    expect(queue.reclaimed.get(SCORE_CORPUS)).toBe(1);
    // a second sweep finds nothing: reclaiming is done once
    expect(await queue.reclaimNow()).toEqual([]);

    // available at once (no backoff), and finished by a live worker, which counts the retry
    const worker = new JobQueue(scratch.db, { pollingIntervalSeconds: 1 });
    await worker.start();
    const done = new Promise<unknown>((resolve) => {
      void worker.work(SCORE_CORPUS, 1, async (data) => {
        resolve(data);
        return { ok: true };
      });
    });
    await expect(done).resolves.toEqual({ n: 1 });
    for (let i = 0; i < 100 && (await jobRow(scratch.db, id)).state !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    const finished = await jobRow(scratch.db, id);
    expect(finished.state).toBe('completed');
    expect(finished.retry_count).toBe(1);
    // the lease history of the reclaim stays after the job completed, the live lease is gone
    expect(await tables.leaseOf(id)).toMatchObject({ lockKey: null, reclaimCount: 1 });
  });

  it('reclaims an active job without a lease only after the grace period', async () => {
    await queue.sendMany(SCORE_CORPUS, [{ key: 'unleased', data: { n: 2 } }]);
    const id = jobIdFor(SCORE_CORPUS, 'unleased');
    const [job] = await boss.fetch(SCORE_CORPUS);
    expect(job?.id).toBe(id);
    // the grace of this queue is an hour: a live worker may be about to record its lease
    expect(await queue.reclaimNow()).toEqual([]);
    const impatient = new JobQueue(scratch.db, { liveness: { unleasedGraceSeconds: 0 } });
    const reclaimed = await impatient.reclaimNow();
    expect(reclaimed).toEqual([{ id, queue: SCORE_CORPUS, exhausted: false, reason: expect.stringMatching(/recorded no lease/) }]);
    expect((await jobRow(scratch.db, id)).state).toBe('retry');
    await queue.cancel(SCORE_CORPUS, [id]);
  });

  it('fails a reclaimed job whose retries are used up, to the dead-letter queue', async () => {
    const id = jobIdFor(SCORE_CORPUS, 'last-try');
    await boss.send(SCORE_CORPUS, { n: 3 }, { id, retryLimit: 0 });
    const [job] = await boss.fetch(SCORE_CORPUS);
    expect(job?.id).toBe(id);
    await tables.takeLease(id, SCORE_CORPUS, 'host-b:2', 777);
    const reclaimed = await queue.reclaimNow();
    expect(reclaimed).toEqual([expect.objectContaining({ id, exhausted: true })]);
    expect((await jobRow(scratch.db, id)).state).toBe('failed');
    const [dead] = await scratch.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data->>'n' = '3'`, [
      DEAD_LETTER,
    ]);
    expect(Number(dead!.n)).toBe(1);
  });
});

describe('embedded database reopened after its process stopped', () => {
  it('returns every job left active by the previous process at start, with the reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tb-liveness-'));
    try {
      let db = await openPgliteDatabase(dir);
      await applyMigrations(db.sql);
      let queue = new JobQueue(db);
      await queue.start();
      await queue.sendMany(SCORE_CORPUS, [
        { key: 'leased', data: { n: 1 } },
        { key: 'bare', data: { n: 2 } },
      ]);
      await queue.stop(false);
      const boss = await fetcher(db);
      const jobs = await boss.fetch(SCORE_CORPUS, { batchSize: 2 });
      expect(jobs).toHaveLength(2);
      // one with a lease whose lock this process holds, one taken without a lease
      await queue.liveness.take(jobIdFor(SCORE_CORPUS, 'leased'), SCORE_CORPUS);
      await boss.stop({ graceful: false, wait: true, close: false } as PgBoss.StopOptions);
      // the process "stops": the database closes with both jobs active (a kill leaves the same rows)
      await db.close();

      db = await openPgliteDatabase(dir);
      queue = new JobQueue(db, { pollingIntervalSeconds: 60 });
      await queue.start();
      const states = await db.sql.query<{ state: string; message: string }>(
        `SELECT state::text AS state, output->'value'->>'message' AS message FROM ${JOB_SCHEMA}.job WHERE name = $1 ORDER BY id`,
        [SCORE_CORPUS],
      );
      expect(states.map((s) => s.state)).toEqual(['retry', 'retry']);
      expect(states.map((s) => s.message).sort()).toEqual([
        expect.stringMatching(/no lease/),
        expect.stringMatching(/stopped \(the embedded database was reopened by a new process\)/),
      ]);
      expect(queue.reclaimed.get(SCORE_CORPUS)).toBe(2);
      await queue.stop(false);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
