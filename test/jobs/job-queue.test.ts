import { openPostgresDatabase } from '../../src/db/postgres.database';
import { applyMigrations } from '../../src/db/migration-runner';
import { SCORE_CORPUS } from '../../src/domain/queue-name';
import { JobQueue, jobIdFor } from '../../src/jobs/job-queue';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

jest.setTimeout(180_000);

/** Far longer than any wait below: a job picked up sooner was not found by polling. */
const POLL_SECONDS = 60;

/** Waits until the job of `key` is completed (so that no completion is in flight at teardown). */
async function completed(queue: JobQueue, key: string): Promise<void> {
  const id = jobIdFor(SCORE_CORPUS, key);
  for (let i = 0; i < 100; i++) {
    if ((await queue.status(SCORE_CORPUS, id))?.state === 'completed') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${key} was handled but not completed within 10 s`);
}

/** Resolves with the job data handled first, or rejects after `ms`. */
function firstJob(ms: number): { handler: (data: unknown) => Promise<unknown>; handled: Promise<unknown> } {
  let done: (value: unknown) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const handled = new Promise<unknown>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const timer = setTimeout(() => fail(new Error(`no job handled within ${ms} ms (polling every ${POLL_SECONDS} s)`)), ms);
  return {
    handler: async (data) => {
      clearTimeout(timer);
      done(data);
      return { ok: true };
    },
    handled,
  };
}

describe.each(testBackends())('job queue wake-up on %s', (kind) => {
  let scratch: ScratchDatabase;
  let queue: JobQueue;

  beforeEach(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    queue = new JobQueue(scratch.db, { pollingIntervalSeconds: POLL_SECONDS });
    await queue.start();
  });
  afterEach(async () => {
    await queue.stop();
    await scratch.drop();
  });

  it('an idle worker takes a job sent after it went idle at once, not at its next poll', async () => {
    const job = firstJob(20_000);
    await queue.work(SCORE_CORPUS, 1, job.handler);
    // let its first fetch find nothing, so that it sleeps for the polling interval
    await new Promise((r) => setTimeout(r, 1_500));
    await queue.sendMany(SCORE_CORPUS, [{ key: 'wake-1', data: { queryId: 1 } }]);
    expect(await job.handled).toEqual({ queryId: 1 });
    await completed(queue, 'wake-1');
  });

  if (kind === 'postgres') {
    it("jobs sent by another process wake this process's idle workers", async () => {
      const job = firstJob(20_000);
      await queue.work(SCORE_CORPUS, 1, job.handler);
      await new Promise((r) => setTimeout(r, 1_500));
      const senderDb = await openPostgresDatabase({ url: scratch.url!, maxConnections: 2 });
      const sender = new JobQueue(senderDb, { pollingIntervalSeconds: POLL_SECONDS });
      try {
        await sender.start();
        await sender.sendMany(SCORE_CORPUS, [{ key: 'wake-2', data: { queryId: 2 } }]);
        expect(await job.handled).toEqual({ queryId: 2 });
        await completed(queue, 'wake-2');
      } finally {
        await sender.stop();
        await senderDb.close();
      }
    });
  }
});
