import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Database } from '../../src/db/database.types';
import { applyMigrations } from '../../src/db/migration-runner';
import { openPgliteDatabase } from '../../src/db/pglite.database';
import { PROJECT_DOCUMENTS } from '../../src/domain/queue-name';
import { JobQueue } from '../../src/jobs/job-queue';
import { JOB_SCHEMA } from '../../src/jobs/pg-boss-tables.adapter';
import { createServices } from '../../src/services/service-container';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

/*
 * Liveness of jobs (docs/operations.md "Liveness of jobs"): a process killed with SIGKILL while
 * it holds a job. The job must come back through the liveness mechanism (its lease records the
 * reclaim and its reason naming the dead process; the queue's 15-minute expiry never fires
 * here), be finished by another process, and every document end projected once.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'tracebase.js');
const DOCUMENTS = 48;
const BATCH_SIZE = 4;
/** Enough work that a kill soon after the embedded run starts lands while jobs run. */
const EMBEDDED_DOCUMENTS = 480;

jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `node bin/tracebase.js ...args` from source with one onnxruntime thread. */
function tracebase(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1', ORT_DISABLE_TELEMETRY: '1', CHECKPOINT_DISABLE: '1', ...env },
  });
  let err = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => err };
}

/** Registers a tiny model and imports a corpus of `documents` documents. */
async function seed(db: Database, documents = DOCUMENTS): Promise<void> {
  const services = createServices(db);
  const modelDir = writeTinyCheckpoint(tinyConfig({ nEmbd: 32, nHead: 2, nLayer: 2, nPositions: 64, nInner: 128 }), { seed: 21 }).dir;
  await services.modelRegistry.register(modelDir, { name: 'tiny' });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tb-live-')), 'corpus.jsonl');
  const texts = Array.from({ length: documents }, (_, i) => `Doc ${i}. The capital of Velor is Danu. ${'Then add seven and carry one. '.repeat(1 + (i % 3))}`);
  writeFileSync(file, texts.map((text, i) => JSON.stringify({ id: `d${i}`, text })).join('\n'));
  await services.corpusImport.importFile('c', file);
}

/** Every stored projection of the space, by document: each document once. */
async function projectionCounts(db: Database, spaceName: string): Promise<{ rows: number; distinct: number }> {
  const [row] = await db.sql.query<{ rows: number; distinct: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT p.document_id)::int AS distinct FROM document_projections p
       JOIN projection_spaces s ON s.id = p.space_id WHERE s.name = $1`,
    [spaceName],
  );
  return { rows: Number(row!.rows), distinct: Number(row!.distinct) };
}

const onPostgres = process.env.DATABASE_URL ? it : it.skip;

describe('a job held by a killed process is reclaimed by liveness, not by expiry', () => {
  const live = new Set<ChildProcessWithoutNullStreams>();
  afterAll(() => {
    for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  onPostgres('Postgres: kill -9 of a worker holding a job; another worker finishes it; every document projected once', async () => {
    const scratch: ScratchDatabase = await createScratchDatabase('postgres');
    try {
      const db = scratch.db;
      await applyMigrations(db.sql);
      await seed(db);
      const services = createServices(db);
      const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 'live', outRank: 4, inRank: 4, sketchDims: 24, seed: 7 });
      // the default expiry (15 minutes): anything reclaimed within this test was reclaimed by liveness
      const queue = new JobQueue(db);
      await queue.start();
      const { sent } = await services.ingestion.enqueue(queue, 'c', space, BATCH_SIZE);
      expect(sent).toBe(DOCUMENTS / BATCH_SIZE);
      await queue.stop(false);

      const env = { DATABASE_URL: scratch.url! };
      const victim = tracebase(['worker', '--concurrency', '1', '--threads', '1'], env);
      live.add(victim.child);
      // wait until the victim holds a job: active, with a lease naming its pid
      let held: { job_id: string } | undefined;
      for (let i = 0; i < 600 && !held; i++) {
        [held] = await db.sql.query<{ job_id: string }>(
          `SELECT l.job_id::text AS job_id FROM job_leases l JOIN ${JOB_SCHEMA}.job j ON j.id = l.job_id
            WHERE j.state = 'active' AND l.worker LIKE $1`,
          [`%:${victim.child.pid}`],
        );
        if (!held) await sleep(50);
      }
      expect(held).toBeDefined();
      victim.child.kill('SIGKILL');
      const killedAt = Date.now();
      expect((await victim.exited).signal).toBe('SIGKILL');
      live.delete(victim.child);

      const rescuer = tracebase(['worker', '--concurrency', '1', '--threads', '1'], env);
      live.add(rescuer.child);
      let lease: { reclaim_count: number; reclaim_reason: string; reclaimed_at: Date } | undefined;
      for (let i = 0; i < 1200 && !lease; i++) {
        [lease] = await db.sql.query<{ reclaim_count: number; reclaim_reason: string; reclaimed_at: Date }>(
          `SELECT reclaim_count, reclaim_reason, reclaimed_at FROM job_leases WHERE job_id = $1::uuid AND reclaim_count > 0`,
          [held!.job_id],
        );
        if (!lease) await sleep(100);
      }
      expect(lease).toBeDefined();
      const delay = (new Date(lease!.reclaimed_at).getTime() - killedAt) / 1000;
      process.stderr.write(`liveness-crash (postgres): job reclaimed ${delay.toFixed(1)} s after kill -9: ${lease!.reclaim_reason}\n`);
      expect(lease!.reclaim_reason).toMatch(new RegExp(`reclaimed: worker \\S+:${victim.child.pid} stopped`));

      // the rescuer finishes everything, the reclaimed job on a retry
      let states: { id: string; state: string; retry_count: number }[] = [];
      for (let i = 0; i < 1200; i++) {
        states = await db.sql.query(`SELECT id::text AS id, state::text AS state, retry_count FROM ${JOB_SCHEMA}.job WHERE name = $1`, [PROJECT_DOCUMENTS]);
        if (states.every((s) => s.state === 'completed')) break;
        if (rescuer.child.exitCode !== null) throw new Error(`the rescuing worker exited: ${rescuer.stderr()}`);
        await sleep(250);
      }
      expect(states.filter((s) => s.state !== 'completed')).toEqual([]);
      expect(states.find((s) => s.id === held!.job_id)?.retry_count).toBe(1);
      expect(await projectionCounts(db, 'live')).toEqual({ rows: DOCUMENTS, distinct: DOCUMENTS });

      rescuer.child.kill('SIGTERM');
      expect((await rescuer.exited).code).toBe(0);
      live.delete(rescuer.child);
    } finally {
      await scratch.drop();
    }
  });

  it('embedded PGlite: `tracebase ingest` killed with -9 and restarted reclaims the jobs at once and finishes', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tb-live-db-'));
    try {
      let db = await openPgliteDatabase(dataDir);
      await applyMigrations(db.sql);
      await seed(db, EMBEDDED_DOCUMENTS);
      await db.close();
      const env = { TRACEBASE_DATA_DIR: dataDir, DATABASE_URL: '' };
      const ingestInto = (space: string) =>
        tracebase(
          ['ingest', '--corpus', 'c', '--model', 'tiny', '--space', space, '--rank', '4', '--sketch-dims', '24', '--batch-size', String(BATCH_SIZE)],
          env,
        );

      // Kill a run while it works. The tiny model projects the corpus in seconds, so when a kill
      // lands after the work (the restart then finds nothing held), the next attempt ingests into a
      // fresh space and kills sooner or later (each attempt its own delay after the work starts).
      let reclaimedBy = '';
      let space = '';
      let restart: Child | undefined;
      const delays = [400, 1200, 150, 2500, 800];
      for (let attempt = 0; attempt < delays.length && !reclaimedBy; attempt++) {
        if (restart) {
          await restart.exited;
          live.delete(restart.child);
        }
        space = `live${attempt}`;
        const started = new RegExp(`space ${space} \\(id`);
        const victim = ingestInto(space);
        live.add(victim.child);
        for (let i = 0; i < 2400 && !started.test(victim.stderr()) && victim.child.exitCode === null; i++) await sleep(25);
        await sleep(delays[attempt]!);
        if (victim.child.exitCode !== null) continue;
        victim.child.kill('SIGKILL');
        await victim.exited;
        live.delete(victim.child);
        restart = ingestInto(space);
        live.add(restart.child);
        for (let i = 0; i < 2400 && !started.test(restart.stderr()) && restart.child.exitCode === null; i++) await sleep(25);
        const m = new RegExp(
          `(\\d+) job\\(s\\) returned to the queue: reclaimed: worker \\S+:${victim.child.pid} stopped \\(the embedded database was reopened`,
        ).exec(restart.stderr());
        if (m) reclaimedBy = m[0];
      }
      expect(reclaimedBy).not.toBe('');
      process.stderr.write(`liveness-crash (pglite): at restart (space ${space}): ${reclaimedBy}\n`);
      const end = await restart!.exited;
      live.delete(restart!.child);
      expect(end.code).toBe(0);
      // no ETA was shown for jobs nobody held
      expect(restart!.stderr()).not.toMatch(/held by a stopped process/);

      db = await openPgliteDatabase(dataDir);
      try {
        expect(await projectionCounts(db, space)).toEqual({ rows: EMBEDDED_DOCUMENTS, distinct: EMBEDDED_DOCUMENTS });
        const [reclaims] = await db.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM job_leases WHERE reclaim_count > 0 AND reclaim_reason LIKE '%reopened%'`,
        );
        expect(Number(reclaims!.n)).toBeGreaterThanOrEqual(1);
        const notDone = await db.sql.query(`SELECT id FROM ${JOB_SCHEMA}.job WHERE name = $1 AND state NOT IN ('completed')`, [PROJECT_DOCUMENTS]);
        expect(notDone).toEqual([]);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
