import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { DatabaseKind } from '../../src/db/database.types';
import { applyMigrations } from '../../src/db/migration-runner';
import { fitFactorDirectory } from '../../src/influence/factor-directory.fitter';
import { PROJECT_DOCUMENTS } from '../../src/domain/queue-name';
import { JobQueue } from '../../src/jobs/job-queue';
import type { ProjectionSpaceRecord } from '../../src/domain/projection-space.record';
import { createServices, type Services } from '../../src/services/service-container';
import { startWorker } from '../../src/worker/worker';
import { tinyConfig, writeTinyCheckpoint } from './gpt2-checkpoint';
import { createScratchDatabase, type ScratchDatabase } from './test-database';

/** The fixture corpus: 30 short documents from two sources. */
export const PLATFORM_TEXTS = Array.from({ length: 30 }, (_, i) => `Doc ${i}: Velor, Danu ${i % 7} and ${'more '.repeat(i % 4)}`);

/** A migrated scratch database with a tiny model, a corpus, EK-FAC factors and one ingested projection space. */
export interface QueryPlatform {
  readonly scratch: ScratchDatabase;
  readonly services: Services;
  readonly modelDir: string;
  /** Registered model name. */
  readonly model: 'tiny';
  readonly factorSetId: number;
  /** Registered factor set name. */
  readonly factorSet: 'ek';
  readonly spaceId: number;
  /** Projection space name. */
  readonly space: 'default';
}

/**
 * Sets up the platform the query tests need, as a user would: register a tiny GPT-2 (byte-level
 * vocabulary, 16 positions), import {@link PLATFORM_TEXTS}, fit EK-FAC factors on them and
 * register them, create a 4×4 Gaussian projection space and ingest the corpus through the job
 * queue and a worker.
 */
export async function prepareQueryPlatform(kind: DatabaseKind): Promise<QueryPlatform> {
  const scratch = await createScratchDatabase(kind);
  await applyMigrations(scratch.db.sql);
  const services = createServices(scratch.db);
  const { dir: modelDir } = writeTinyCheckpoint(tinyConfig(), { seed: 21 });
  await services.modelRegistry.register(modelDir, { name: 'tiny' });
  const work = mkdtempSync(path.join(tmpdir(), 'tb-query-platform-'));
  const corpusFile = path.join(work, 'c.jsonl');
  writeFileSync(corpusFile, PLATFORM_TEXTS.map((text, i) => JSON.stringify({ id: `d${i}`, text, source: i % 3 === 0 ? 'wiki' : 'code' })).join('\n'));
  await services.corpusImport.importFile('c', corpusFile);
  const factorsDir = path.join(work, 'factors');
  await fitFactorDirectory({
    modelDir,
    corpusFile,
    outDir: factorsDir,
    strategy: 'ekfac',
    fisher: 'sampled',
    maxDocs: null,
    seed: 0,
    batchWindows: 8,
    overwrite: false,
    device: 'cpu',
    threads: 1,
  });
  const { record: factorSet } = await services.factorSets.register('tiny', factorsDir, 'ek');
  const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 'default', outRank: 4, inRank: 4, sketchDims: 24, seed: 3 });
  await ingestThroughQueue(scratch, services, 'c', space);
  return { scratch, services, modelDir, model: 'tiny', factorSetId: factorSet.id, factorSet: 'ek', spaceId: space.id, space: 'default' };
}

/**
 * Projects every document of `corpus` into `space` the way the platform does: jobs of 10
 * documents on the queue, worked by an in-process worker until none is pending, then the index.
 */
export async function ingestThroughQueue(scratch: ScratchDatabase, services: Services, corpus: string, space: ProjectionSpaceRecord): Promise<void> {
  const queue = new JobQueue(scratch.db, { pollingIntervalSeconds: 0.5 });
  await queue.start();
  await services.ingestion.enqueue(queue, corpus, space, 10);
  await startWorker(queue, services, { concurrency: 1 });
  while ((await queue.pending(PROJECT_DOCUMENTS)) > 0) await new Promise((r) => setTimeout(r, 300));
  await queue.stop();
  await services.ingestion.finalize(space);
}

/** Polls `check` every 250 ms until it returns true, failing after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
