import { applyMigrations } from '../../src/db/migration-runner';
import { defaultEngineSettings, GradientEngine } from '../../src/engine/gradient.engine';
import { projectDocuments } from '../../src/influence/document-projection.pipeline';
import { PROJECT_DOCUMENTS } from '../../src/domain/queue-name';
import { JobQueue } from '../../src/jobs/job-queue';
import { sketchVector } from '../../src/math/projection-sketch';
import { DocumentProjectionIndexRepository } from '../../src/repositories/document-projections/document-projection-index.repository';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import { createServices, type Services } from '../../src/services/service-container';
import { ProjectDocumentsHandler } from '../../src/worker/project-documents.handler';
import { startWorker, type WorkerHandle } from '../../src/worker/worker';
import { relErr } from '../engine/engine-fixtures';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(240_000);

const TEXTS = Array.from({ length: 23 }, (_, i) => (i === 7 ? 'x' : `Document ${i}: the capital of Velor is Danu, ${'and more '.repeat(i % 5)}`));

async function waitUntilDrained(queue: JobQueue): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if ((await queue.pending(PROJECT_DOCUMENTS)) === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('queue did not drain');
}

describe.each(testBackends())('ingestion through the job queue on %s', (kind) => {
  let scratch: ScratchDatabase;
  let services: Services;
  let queue: JobQueue;
  let modelDir: string;
  let worker: WorkerHandle | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
    modelDir = writeTinyCheckpoint(tinyConfig(), { seed: 11 }).dir;
    await services.modelRegistry.register(modelDir, { name: 'tiny' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tb-ingest-')), 'c.jsonl');
    writeFileSync(file, TEXTS.map((text, i) => JSON.stringify({ id: `d${i}`, text })).join('\n'));
    await services.corpusImport.importFile('c', file);
    queue = new JobQueue(scratch.db, { pollingIntervalSeconds: 0.5 });
    await queue.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await queue.stop(false);
    await scratch.drop();
  });

  it('projects every document through queued batches, as the pipeline computes them, and the worker indexes the space once the last batch is done', async () => {
    const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 's', outRank: 3, inRank: 4, sketchDims: 20, seed: 5 });
    const { batches, sent, corpusId } = await services.ingestion.enqueue(queue, 'c', space, 5);
    expect([batches, sent]).toEqual([5, 5]);
    const indexes = new DocumentProjectionIndexRepository(scratch.db.sql);
    let indexedWhileRunning = false;
    const indexed = new Promise<number[]>((resolve) => {
      void startWorker(queue, services, {
        concurrency: 1,
        onIndexed: (ids) => resolve(ids),
        onBatch: () => {
          // no index while batches remain: the sweep waits for the whole ingestion
          void indexes.hasSketchIndex(space.id).then((present) => (indexedWhileRunning ||= present));
        },
      }).then((handle) => (worker = handle));
    });
    await waitUntilDrained(queue);
    // the one-byte document has no prediction to differentiate and is skipped
    expect(await services.ingestion.progress(corpusId, space.id)).toEqual({ projected: 22, total: 23 });
    // nobody calls finalize: the worker's sweep builds the index after the last batch
    expect(await indexed).toEqual([space.id]);
    expect(indexedWhileRunning).toBe(false);

    // independent computation: the pipeline on the same documents, outside the queue
    const runtime = await services.projectionSpaces.runtime(space.id);
    const engine = new GradientEngine(runtime.loaded, defaultEngineSettings());
    const docs = await scratch.db.prisma.document.findMany({ where: { corpusId }, orderBy: { id: 'asc' } });
    const usable = docs.filter((d) => d.text.length > 1);
    const expected = await projectDocuments(
      engine,
      runtime.space,
      usable.map((d) => ({ id: String(d.id), tokens: runtime.loaded.tokenizer.encode(d.text), scoreFrom: 0 })),
    );
    const stored = await new DocumentProjectionWriteRepository(scratch.db.sql).findByDocuments(
      space.id,
      usable.map((d) => d.id),
    );
    expect(stored).toHaveLength(usable.length);
    stored.forEach((row, k) => {
      const e = expected[k]!;
      expect(row.documentId).toBe(Number(e.documentId));
      // the worker batches by token budget, the reference in fixed batches: equal to float32 rounding
      expect(relErr(row.full!, e.vector)).toBeLessThan(1e-5);
      const sketch = sketchVector(runtime.space.layout, runtime.sketch, e.vector, 'gaussian');
      row.sketch!.forEach((v, i) => expect(Math.abs(v - sketch[i]!)).toBeLessThanOrEqual(Math.abs(sketch[i]!) * 1e-3 + 1e-6));
      expect(row.loss).toBeCloseTo(e.loss, 4);
      expect(Math.abs(row.gradientNorm - e.norm)).toBeLessThanOrEqual(1e-5 * e.norm);
    });
    expect(await indexes.hasSketchIndex(space.id)).toBe(true);
    // a later sweep finds nothing left to do
    expect(await services.ingestion.finalizeFinished()).toEqual([]);
  });

  it('is idempotent: sending the same ingestion again queues nothing, and re-running a batch rewrites the same values', async () => {
    const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 's', outRank: 3, inRank: 4, sketchDims: 20, seed: 5 });
    const again = await services.ingestion.enqueue(queue, 'c', space, 5);
    expect(again.sent).toBe(0);
    const repo = new DocumentProjectionWriteRepository(scratch.db.sql);
    const ids = (await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' }, take: 5 })).map((d) => d.id);
    const before = await repo.findByDocuments(space.id, ids);
    const handler = new ProjectDocumentsHandler(services.projectionSpaces, services.documents, services.ingestion);
    await handler.handle({ spaceId: space.id, corpusId: 1, documentIds: ids });
    const after = await repo.findByDocuments(space.id, ids);
    expect(after.map((r) => Array.from(r.full!))).toEqual(before.map((r) => Array.from(r.full!)));
    expect(await repo.count(space.id)).toBe(22);
  });

  it('refuses to project with a model whose weights changed since the space was made', async () => {
    const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 's2', outRank: 2, inRank: 2, sketchDims: 8, seed: 1 });
    writeTinyCheckpoint(tinyConfig(), { seed: 12, dir: modelDir });
    const fresh = createServices(scratch.db);
    const handler = new ProjectDocumentsHandler(fresh.projectionSpaces, fresh.documents, fresh.ingestion);
    await expect(handler.handle({ spaceId: space.id, corpusId: 1, documentIds: [1] })).rejects.toThrow(/changed after "tiny" was registered/);
  });
});
