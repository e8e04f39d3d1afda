import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { createServices, type Services } from '../../src/services/service-container';
import { startWorker } from '../../src/worker/worker';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

jest.setTimeout(240_000);

describe('corpus import and ingestion over GraphQL (embedded)', () => {
  let scratch: ScratchDatabase;
  let services: Services;
  let server: RunningGraphQLServer;
  let token: string;
  const importDir = mkdtempSync(path.join(tmpdir(), 'tb-import-'));

  beforeAll(async () => {
    scratch = await createScratchDatabase('pglite');
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
    await services.modelRegistry.register(writeTinyCheckpoint(tinyConfig(), { seed: 31 }).dir, { name: 'tiny' });
    writeFileSync(
      path.join(importDir, 'c.jsonl'),
      Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `document number ${i}` })).join('\n') + '\nnot json\n',
    );
    token = (await services.auth.createToken({ userName: 'cur', tokenName: 't', role: 'CURATOR' })).token;
    server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production', importDir }, services);
  });
  afterAll(async () => {
    await server.stop();
    await services.jobQueue.stop(false);
    await scratch.drop();
  });

  const ask = (q: string) => postGraphQL(server.url, q, { token });

  it('imports a file of the import directory and refuses paths outside it', async () => {
    const { json } = await ask('mutation { importCorpus(name: "c", file: "c.jsonl") { lines accepted rejected report } }');
    expect(json.errors).toBeUndefined();
    expect(json.data!.importCorpus).toEqual({ lines: 13, accepted: 12, rejected: 1, report: [expect.stringMatching(/^line 13: invalid JSON/)] });
    const escape = await ask('mutation { importCorpus(name: "c", file: "../../etc/passwd") { lines } }');
    expect(escape.json.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('starts an ingestion, reports its progress and jobs, cancels another, and ends indexed', async () => {
    const started = await ask(
      'mutation { startIngestion(corpus: "c", model: "tiny", space: "s", rank: 2, sketchDims: 4, batchSize: 5) { projected total jobs { created completed } } }',
    );
    expect(started.json.errors).toBeUndefined();
    expect(started.json.data!.startIngestion).toEqual({ projected: 0, total: 12, jobs: { created: 3, completed: 0 } });

    const other = await ask(
      'mutation { startIngestion(corpus: "c", model: "tiny", space: "other", rank: 2, sketchDims: 4, batchSize: 4) { jobs { created } } }',
    );
    expect((other.json.data!.startIngestion as { jobs: { created: number } }).jobs.created).toBe(3);
    const cancelled = await ask('mutation { cancelIngestion(corpus: "c", model: "tiny", space: "other") { jobs { created cancelled } } }');
    expect(cancelled.json.data!.cancelIngestion).toEqual({ jobs: { created: 0, cancelled: 3 } });

    await startWorker(services.jobQueue, services, { concurrency: 1 });
    let progress: { projected: number; total: number; jobs: { completed: number } } | undefined;
    for (let i = 0; i < 200; i++) {
      const { json } = await ask('{ ingestion(corpus: "c", model: "tiny", space: "s") { projected total jobs { completed } } }');
      progress = json.data!.ingestion as typeof progress;
      if (progress!.jobs.completed === 3) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(progress).toEqual({ projected: 12, total: 12, jobs: { completed: 3 } });
    const otherAfter = await ask('{ ingestion(corpus: "c", model: "tiny", space: "other") { projected jobs { cancelled } } }');
    expect(otherAfter.json.data!.ingestion).toEqual({ projected: 0, jobs: { cancelled: 3 } });

    // the worker builds the finished ingestion's HNSW index by itself; the cancelled one holds no vectors and stays unindexed
    let indexed = false;
    for (let i = 0; i < 60 && !indexed; i++) {
      const { json } = await ask('{ ingestion(corpus: "c", model: "tiny", space: "s") { indexed } }');
      indexed = (json.data!.ingestion as { indexed: boolean }).indexed;
      if (!indexed) await new Promise((r) => setTimeout(r, 250));
    }
    expect(indexed).toBe(true);
    const otherIndexed = await ask('{ ingestion(corpus: "c", model: "tiny", space: "other") { indexed } }');
    expect(otherIndexed.json.data!.ingestion).toEqual({ indexed: false });
  });
});
