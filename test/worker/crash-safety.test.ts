import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import PgBoss from 'pg-boss';

import { applyMigrations } from '../../src/db/migration-runner';
import { Mulberry32 } from '../../src/math/seeded-random';
import { type ProjectDocumentsJob } from '../../src/jobs/job-names';
import { DEAD_LETTER, PROJECT_DOCUMENTS } from '../../src/domain/queue-name';
import { JobQueue } from '../../src/jobs/job-queue';
import { JOB_SCHEMA } from '../../src/jobs/pg-boss-tables.adapter';
import { pgBossDb } from '../../src/jobs/pg-boss.adapter';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../../src/domain/document-projection.record';
import { createServices, type Services } from '../../src/services/service-container';
import { ProjectDocumentsHandler } from '../../src/worker/project-documents.handler';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

/*
 * Crash safety of ingestion (issue 6, item 5): real `tracebase worker` processes on a real
 * Postgres are killed with SIGKILL at random points while a corpus is being projected, restarted,
 * and the result is compared with an uninterrupted run of the same batches.
 *
 * Needs DATABASE_URL (a Postgres + pgvector server whose role may CREATEDB): embedded PGlite is
 * one process, so there is no separate worker process to kill.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'tracebase.js');
/** SIGKILLs in the kill phase (issue 6 asks for at least 10). */
const KILLS = 12;
/** Worker processes alive at once. */
const SLOTS = 2;
/** Enough batches that the kill phase cannot finish them all now that workers take jobs back to back. */
const DOCUMENTS = 240;
const BATCH_SIZE = 3;
/*
 * Note on the retry policy: expiry counts as a failed attempt, and JobQueue allows 3 retries, so
 * a job whose worker is killed a fourth time is dead-lettered. An expired job comes back after
 * EXPIRE_SECONDS plus a backoff of 5–10, 10–20, 20–40 s: a fourth kill of one job needs a kill
 * phase of more than about 65 s (here ≈ 30–40 s). The retry counts are logged.
 */
/** A job held by a dead worker is returned to the queue this long after it started. */
const EXPIRE_SECONDS = 10;
const SEED = Number(process.env.CRASH_TEST_SEED ?? Date.now() % 2_147_483_647);

jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A running `tracebase worker` child and what it printed. */
interface WorkerChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `node bin/tracebase.js worker` (from source, one onnxruntime thread) against `url`. */
function startWorker(url: string): WorkerChild {
  const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '1', '--threads', '1'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1', DATABASE_URL: url, ORT_DISABLE_TELEMETRY: '1', CHECKPOINT_DISABLE: '1' },
  });
  let err = '';
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (/waiting for jobs/.test(err)) resolve();
    });
  });
  return { child, ready, exited, stderr: () => err };
}

/** One SIGKILL: when, and what the queue looked like at that moment. */
interface KillRecord {
  readonly slot: number;
  readonly mode: 'any time after spawn' | 'after the worker reported ready';
  readonly afterMs: number;
  readonly workerWasReady: boolean;
  readonly activeJobs: number;
}

const maybe = process.env.DATABASE_URL ? it : it.skip;
const reason = process.env.DATABASE_URL ? '' : ' (skipped: needs DATABASE_URL; embedded PGlite runs in one process, so there is no worker process to kill)';

describe('ingestion survives SIGKILL of worker processes', () => {
  let scratch: ScratchDatabase | undefined;
  let supervisor: PgBoss | undefined;
  const live = new Set<ChildProcessWithoutNullStreams>();

  afterAll(async () => {
    for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await supervisor?.stop({ graceful: false, wait: true, close: false } as PgBoss.StopOptions).catch(() => undefined);
    await scratch?.drop();
  });

  maybe(`ends with the rows and values of an uninterrupted run after ${KILLS} random kills, with every job completed${reason}`, async () => {
    const rng = new Mulberry32(SEED);
    const log = (line: string) => process.stderr.write(`crash-safety (seed ${SEED}): ${line}\n`);
    scratch = await createScratchDatabase('postgres');
    const url = scratch.url!;
    const db = scratch.db;
    await applyMigrations(db.sql);
    const services: Services = createServices(db);
    const modelDir = writeTinyCheckpoint(tinyConfig({ nEmbd: 32, nHead: 2, nLayer: 2, nPositions: 64, nInner: 128 }), { seed: 21 }).dir;
    await services.modelRegistry.register(modelDir, { name: 'tiny' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tb-crash-')), 'corpus.jsonl');
    const texts = Array.from({ length: DOCUMENTS }, (_, i) => `Doc ${i}. The capital of Velor is Danu. ${'Then add seven and carry one. '.repeat(i % 4)}`);
    writeFileSync(file, texts.map((text, i) => JSON.stringify({ id: `d${i}`, text })).join('\n'));
    await services.corpusImport.importFile('c', file);

    // Two spaces with the same seed and ranks: the same projection matrices.
    const spaceSettings = { modelName: 'tiny', outRank: 4, inRank: 4, sketchDims: 24, seed: 7 };
    const reference = await services.projectionSpaces.create({ ...spaceSettings, name: 'reference' });
    const crashed = await services.projectionSpaces.create({ ...spaceSettings, name: 'crashed' });

    // The queue is created here, first, so its jobs expire after EXPIRE_SECONDS (the queue's
    // expiry is fixed when the queue is created; the workers' JobQueue finds it existing).
    const queue = new JobQueue(db, { expireInSeconds: EXPIRE_SECONDS });
    await queue.start();
    const { batches, sent, corpusId } = await services.ingestion.enqueue(queue, 'c', crashed, BATCH_SIZE);
    expect(sent).toBe(DOCUMENTS / BATCH_SIZE);
    expect(batches).toBe(sent);
    await queue.stop(false);

    // pg-boss returns jobs of dead workers in its maintenance pass ("failed by timeout in active
    // state" -> retry). JobQueue runs it every 120 s; a supervisor here runs it every second so
    // that the test does not wait minutes. It fetches no jobs.
    supervisor = new PgBoss({ db: pgBossDb(db.sql), schema: JOB_SCHEMA, schedule: false, supervise: true, migrate: false, maintenanceIntervalSeconds: 1 });
    supervisor.on('error', (e: Error) => log(`supervisor: ${e.message}`));
    await supervisor.start();

    const jobRows = () =>
      db.sql.query<{ id: string; state: string; retry_count: number; data: ProjectDocumentsJob }>(
        `SELECT id, state::text AS state, retry_count, data FROM ${JOB_SCHEMA}.job WHERE name = $1 AND (data->>'spaceId')::int = $2`,
        [PROJECT_DOCUMENTS, crashed.id],
      );
    /** Jobs active now that were started after `since` (by a live worker, not one already killed). */
    const activeJobsSince = async (since: Date) => {
      const [row] = await db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = $1 AND state = 'active' AND started_on >= $2`,
        [PROJECT_DOCUMENTS, since],
      );
      return Number(row!.n);
    };

    // The uninterrupted run: the same batches (read back from the queued jobs), one after the
    // other, by the same handler, into the reference space.
    const handler = new ProjectDocumentsHandler(services.projectionSpaces, services.documents, services.ingestion);
    const queuedBatches = (await jobRows()).map((j) => j.data.documentIds).sort((a, b) => a[0]! - b[0]!);
    expect(queuedBatches.flat()).toHaveLength(DOCUMENTS);
    const t0 = Date.now();
    for (const documentIds of queuedBatches) await handler.handle({ spaceId: reference.id, corpusId, documentIds });
    log(`uninterrupted run: ${queuedBatches.length} batches in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Kill phase: SLOTS workers at a time; each is SIGKILLed at a random point and replaced.
    // Half the kills fall anywhere in a worker's life (start-up, migration check, session
    // compilation, a job, a write, idle polling); the other half shortly after it reported
    // ready, when it has just fetched a job and is compiling or running it.
    const kills: KillRecord[] = [];
    const tKill = Date.now();
    const slot = async (index: number) => {
      while (kills.length < KILLS) {
        const spawnedAt = new Date();
        const worker = startWorker(url);
        live.add(worker.child);
        const afterReady = rng.next() < 0.5;
        let workerWasReady = false;
        void worker.ready.then(() => (workerWasReady = true));
        const delay = afterReady ? 100 + rng.next() * 1500 : 300 + rng.next() * 6000;
        const died = worker.exited.then((e) => ({ died: e }));
        if (afterReady) {
          const first = await Promise.race([worker.ready.then(() => null), died]);
          if (first) throw new Error(`worker exited by itself (${JSON.stringify(first.died)}): ${worker.stderr()}`);
        }
        const early = await Promise.race([sleep(delay).then(() => null), died]);
        if (early) throw new Error(`worker exited by itself (${JSON.stringify(early.died)}): ${worker.stderr()}`);
        const active = await activeJobsSince(spawnedAt);
        worker.child.kill('SIGKILL');
        const end = await worker.exited;
        live.delete(worker.child);
        expect(end.signal).toBe('SIGKILL');
        kills.push({
          slot: index,
          mode: afterReady ? 'after the worker reported ready' : 'any time after spawn',
          afterMs: Math.round(delay),
          workerWasReady,
          activeJobs: active,
        });
      }
    };
    await Promise.all(Array.from({ length: SLOTS }, (_, i) => slot(i)));
    const afterKills = await jobRows();
    const completedDuringKills = afterKills.filter((j) => j.state === 'completed').length;
    log(
      `${kills.length} kills in ${((Date.now() - tKill) / 1000).toFixed(1)} s (${kills.filter((k) => k.workerWasReady).length} after the worker was ready, ` +
        `${kills.filter((k) => k.activeJobs > 0).length} while a job fetched by a live worker was active); ${completedDuringKills} of ${batches} jobs completed meanwhile`,
    );
    expect(kills.length).toBeGreaterThanOrEqual(10);
    // the kills did interrupt the ingestion: some landed while a job was running (with liveness a
    // killed worker's job comes back within seconds, so every job may still complete meanwhile)
    expect(kills.filter((k) => k.activeJobs > 0).length).toBeGreaterThan(0);

    // Recovery: fresh workers, no more kills, until every job is completed.
    const tRecover = Date.now();
    const survivors = Array.from({ length: SLOTS }, () => startWorker(url));
    survivors.forEach((w) => live.add(w.child));
    let rows = await jobRows();
    while (rows.some((j) => j.state !== 'completed') && Date.now() - tRecover < 150_000) {
      if (rows.some((j) => j.state === 'failed' || j.state === 'cancelled')) break;
      for (const w of survivors) {
        if (w.child.exitCode !== null) throw new Error(`a recovering worker exited: ${w.stderr()}`);
      }
      await sleep(1000);
      rows = await jobRows();
    }
    log(`recovery: ${((Date.now() - tRecover) / 1000).toFixed(1)} s; states ${JSON.stringify(countBy(rows.map((j) => j.state)))}`);
    // the kills may have left nothing to recover (liveness returns a dead worker's jobs within
    // seconds): a worker still starting has no signal handler yet, so stop each once it is ready
    await Promise.all(survivors.map((w) => Promise.race([w.ready, w.exited])));
    for (const w of survivors) w.child.kill('SIGTERM');
    const ends = await Promise.all(survivors.map((w) => w.exited));
    survivors.forEach((w) => live.delete(w.child));

    // No job stuck, lost or dead-lettered; jobs held by killed workers came back and completed.
    expect(rows).toHaveLength(batches);
    expect(rows.filter((j) => j.state !== 'completed')).toEqual([]);
    expect(await new JobQueue(db).pending(PROJECT_DOCUMENTS)).toBe(0);
    const [dead] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOB_SCHEMA}.job WHERE name = $1`, [DEAD_LETTER]);
    expect(Number(dead!.n)).toBe(0);
    const retried = rows.filter((j) => j.retry_count > 0);
    log(
      `${retried.length} jobs were taken back from killed workers and completed on a retry (retry counts ${JSON.stringify(countBy(retried.map((j) => String(j.retry_count))))})`,
    );
    expect(retried.length).toBeGreaterThanOrEqual(1);
    // SIGTERM lets a worker finish its job and exit cleanly
    expect(ends.map((e) => e.code)).toEqual(ends.map(() => 0));

    // Exactly the rows of the uninterrupted run, and the same values within float tolerance.
    const repo = new DocumentProjectionWriteRepository(db.sql);
    const docIds = queuedBatches.flat().sort((a, b) => a - b);
    const expected = await repo.findByDocuments(reference.id, docIds);
    const actual = await repo.findByDocuments(crashed.id, docIds);
    expect(expected).toHaveLength(DOCUMENTS);
    expect(await repo.count(crashed.id)).toBe(DOCUMENTS);
    expect(actual.map((r) => r.documentId)).toEqual(expected.map((r) => r.documentId));
    let worst = 0;
    actual.forEach((row, k) => {
      const ref = expected[k]!;
      worst = Math.max(worst, maxRelativeDifference(row, ref));
      expect(row.tokenCount).toBe(ref.tokenCount);
      expect(row.loss).toBeCloseTo(ref.loss, 4);
      expect(Math.abs(row.gradientNorm - ref.gradientNorm)).toBeLessThanOrEqual(1e-5 * ref.gradientNorm);
      expect(row.sketch!.length).toBe(ref.sketch!.length);
      row.sketch!.forEach((v, i) => expect(Math.abs(v - ref.sketch![i]!)).toBeLessThanOrEqual(1e-3 * Math.abs(ref.sketch![i]!) + 1e-6));
    });
    log(`largest relative difference of a full vector: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

/** max_i |a_i − b_i| / max(‖b‖_∞, 1e-12) over the full vectors. */
function maxRelativeDifference(a: DocumentProjectionRecord, b: DocumentProjectionRecord): number {
  const x = a.full!;
  const y = b.full!;
  if (x.length !== y.length) return Infinity;
  let scale = 1e-12;
  for (const v of y) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d / scale;
}

function countBy(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
