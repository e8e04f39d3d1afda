import { applyMigrations } from '../../src/db/migration-runner';
import { PROJECT_DOCUMENTS, QUEUES } from '../../src/domain/queue-name';
import { JobQueue, jobIdFor } from '../../src/jobs/job-queue';
import { PgBossTables } from '../../src/jobs/pg-boss-tables.adapter';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

jest.setTimeout(120_000);

describe.each(testBackends())('PgBossTables on %s', (kind) => {
  let scratch: ScratchDatabase;
  let tables: PgBossTables;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    tables = new PgBossTables(scratch.db);
  });
  afterAll(() => scratch.drop());

  it('reads nothing before the queue installs its tables', async () => {
    expect(await tables.installed()).toBe(false);
    expect(await tables.ingestionStateCounts(1, 1)).toEqual([]);
    expect(await tables.spacesWithFinishedIngestion()).toEqual([]);
    expect(await tables.jobById(jobIdFor(PROJECT_DOCUMENTS, 'x'))).toBeNull();
    expect(await tables.jobPage({ queues: [...QUEUES], limit: 10 })).toEqual([]);
  });

  it('reads the jobs the queue stores: counts by state, unfinished ids, one job, a page', async () => {
    const queue = new JobQueue(scratch.db);
    await queue.start();
    try {
      const data = (n: number) => ({ corpusId: 3, spaceId: 4, documentIds: [n, n + 1] });
      expect(
        await queue.sendMany(PROJECT_DOCUMENTS, [
          { key: 'a', data: data(1) },
          { key: 'b', data: data(3) },
        ]),
      ).toBe(2);
      expect(await tables.installed()).toBe(true);
      expect(await tables.ingestionStateCounts(3, 4)).toEqual([{ state: 'created', n: 2 }]);
      expect(await tables.ingestionStateCounts(3, 5)).toEqual([]);
      const ids = [jobIdFor(PROJECT_DOCUMENTS, 'a'), jobIdFor(PROJECT_DOCUMENTS, 'b')];
      expect((await tables.unfinishedIngestionJobIds(3, 4)).sort()).toEqual([...ids].sort());
      // the space has unfinished jobs: its ingestion is not finished
      expect(await tables.spacesWithFinishedIngestion()).toEqual([]);
      const job = await tables.jobById(ids[0]!);
      expect(job).toMatchObject({ id: ids[0], queue: PROJECT_DOCUMENTS, state: 'created', archived: false, document_count: 2, corpus_name: null });
      const page = await tables.jobPage({ queues: [PROJECT_DOCUMENTS], state: 'created', limit: 1 });
      expect(page).toHaveLength(1);
      const rest = await tables.jobPage({ queues: [PROJECT_DOCUMENTS], limit: 10, after: { createdMicros: page[0]!.created_us, id: page[0]!.id } });
      expect(rest.map((r) => r.id)).toEqual(ids.filter((id) => id !== page[0]!.id));
      await queue.cancel(PROJECT_DOCUMENTS, ids);
      expect(await tables.unfinishedIngestionJobIds(3, 4)).toEqual([]);
      expect(await tables.spacesWithFinishedIngestion()).toEqual([4]);
    } finally {
      await queue.stop(false);
    }
  });

  it('delivers an announcement to the listeners of the job channel', async () => {
    const heard: string[] = [];
    const unlisten = await tables.listenForAnnouncements((queue) => heard.push(queue));
    try {
      await tables.announce(PROJECT_DOCUMENTS);
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(heard).toEqual([PROJECT_DOCUMENTS]);
    } finally {
      await unlisten();
    }
  });
});
