/**
 * Ingestion benchmark (a script, not a test): `npm run bench:ingest -- [options]`.
 *
 * On a model of the reference size (models/reference/ when it exists, else the same
 * architecture with random HF-style initial weights, which computes exactly as much) and the
 * full synthetic world (`world generate --seed 1 --size full`), measures in one run:
 *
 * 1. the engine's own projection-head rate (documents/s, tokens/s, GFLOP/s) in this process,
 *    job-sized chunks timed alternately with onnxruntime's raw float32 MatMul (1024², 4096² on a
 *    GPU; GFLOP/s), each chunk both in token-budget batches (what the worker runs) and in the
 *    fixed batches of 8 windows in document order used before, with the padding share
 *    1 − real tokens / padded positions of each;
 * 2. end to end through the queue: real `tracebase worker` processes on a scratch Postgres,
 *    documents/s and tokens/s from enqueue to the last completed job, cold (fresh processes,
 *    sessions compiled in the first jobs) and then warm (same processes, a second space);
 *    1 worker × all threads, 1 worker × half, 2 workers × half each (on 2 cores: 2, 1, 1+1);
 * 3. the database write rate on its own: vectors/s of `DocumentProjectionWriteRepository.upsertMany`
 *    (binary vector parameters, as the services write on Postgres) in job-sized and 500-row
 *    batches at the space's dims, then the HNSW build time, and the stored bytes per document.
 *
 * Prints a JSON report with medians and ratios against the targets.
 *
 * Options: --documents N (default 256; --all for the whole world), --device cpu|cuda,
 * --threads N (default: all cores), --batch-size N (documents per job, default 32),
 * --token-budget N (padded positions per engine batch, default the worker's default),
 * --rank R (default 8), --sketch-dims N (default 512), --write-rows N (rows per write run, default 2048),
 * --model DIR, --world DIR (an existing world directory), --json FILE.
 * Needs DATABASE_URL (Postgres + pgvector, a role with CREATEDB): worker processes share it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import { applyMigrations } from '../src/db/migration-runner';
import { defaultEngineSettings, GradientEngine } from '../src/engine/gradient.engine';
import { Mulberry32 } from '../src/math/seeded-random';
import { projectDocuments } from '../src/influence/document-projection.pipeline';
import { DEFAULT_WORKER_TOKEN_BUDGET } from '../src/config/config';
import { SessionCache } from '../src/engine/session.cache';
import { planPadding, planShapeCount, planTokenBudgetBatches } from '../src/engine/token-budget.planner';
import { isScorable, sequenceBatches } from '../src/influence/sequence-batches';
import type { TokenizedSequence } from '../src/influence/tokenized-sequence';
import { PROJECT_DOCUMENTS } from '../src/domain/queue-name';
import { JobQueue } from '../src/jobs/job-queue';
import { JOB_SCHEMA } from '../src/jobs/pg-boss-tables.adapter';
import { Gpt2Config, gpt2ConfigOf, initGpt2Parameters } from '../src/model-families/gpt2';
import { GraphBuilder } from '../src/onnx/graph.builder';
import { serializeModel } from '../src/onnx/onnx.serializer';
import { createSession, type HostTensor, runSession } from '../src/onnx/ort.runner';
import { DocumentProjectionWriteRepository } from '../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../src/domain/document-projection.record';
import { toVectorBinary } from '../src/repositories/vector-sql';
import { createServices } from '../src/services/service-container';
import { writeModelDirectory } from '../src/training/model-directory.writer';
import { referenceModelConfig } from '../src/training/training.settings';
import { generateWorld } from '../src/world/world.generator';
import { serializeWorld } from '../src/world/world.serializer';
import { writeWorldFiles } from '../src/world/world.writer';
import { createScratchDatabase } from '../test/support/test-database';
import { flag, intFlag } from './bench-flags';

const ROOT = path.resolve(__dirname, '..');

const device = flag('device') === 'cuda' ? 'cuda' : 'cpu';
const threads = intFlag('threads', cpus().length);
const batchSize = intFlag('batch-size', 32);
const tokenBudget = intFlag('token-budget', DEFAULT_WORKER_TOKEN_BUDGET);
const rank = intFlag('rank', 8);
const sketchDims = intFlag('sketch-dims', 512);
const writeRows = intFlag('write-rows', 2048);
const allDocuments = process.argv.includes('--all');
const documentLimit = intFlag('documents', 256);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}
const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`bench:ingest: ${line}\n`);

/** A session running one n×n float32 MatMul (the raw rate the engine is compared with). */
async function rawMatmul(n: number): Promise<() => Promise<number>> {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [n, n]);
  const y = b.input('y', 'float32', [n, n]);
  b.output(b.matmul(x, y), 'z');
  const s = await createSession(serializeModel(b), { device, intraOpThreads: threads, interOpThreads: 1 });
  const rng = new Mulberry32(1);
  const data = Float32Array.from({ length: n * n }, () => rng.normal());
  const feeds: Record<string, HostTensor> = { x: { dtype: 'float32', dims: [n, n], data }, y: { dtype: 'float32', dims: [n, n], data } };
  return async () => {
    const t0 = process.hrtime.bigint();
    await runSession(s, feeds);
    await runSession(s, feeds);
    return (2 * 2 * n ** 3) / seconds(t0) / 1e9;
  };
}

/**
 * FLOPs of the projection head on one packed batch of B rows × T positions (padding included:
 * onnxruntime computes it): forward 2·N and input-gradient backward 2·N per position for the
 * matmul parameters N (all but wpe; the tied LM head counts wte once; no weight gradients), and
 * attention QKᵀ, PV forward + backward 12·L·T²·d per row. The small P δ, R a products and the
 * skipped backward below the first tracked layer are ignored.
 */
function projectionHeadFlops(config: Gpt2Config, rows: number, T: number): number {
  const d = config.nEmbd;
  const inner = config.nInner ?? 4 * d;
  const perBlock = 3 * d * d + d * d + d * inner + inner * d;
  const matmulParams = config.nLayer * perBlock + config.vocabSize * d;
  return 4 * matmulParams * rows * T + 12 * config.nLayer * T * T * d * rows;
}

/** A `tracebase worker` child process. */
interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Starts `node bin/tracebase.js worker` from source (the same code as the in-process engine). */
function startWorkerProcess(url: string, workerThreads: number): WorkerProcess {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'tracebase.js'), 'worker', '--device', device, '--threads', String(workerThreads), '--token-budget', String(tokenBudget)],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1', DATABASE_URL: url, ORT_DISABLE_TELEMETRY: '1', CHECKPOINT_DISABLE: '1' },
    },
  );
  child.stdout.resume();
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (/waiting for jobs/.test(err)) resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${err}`)));
  });
  return { child, ready, exited };
}

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    process.stderr.write('bench:ingest needs DATABASE_URL (a Postgres + pgvector server; worker processes share it). See docs/database.md.\n');
    process.exit(2);
  }
  const work = mkdtempSync(path.join(tmpdir(), 'tb-bench-ingest-'));

  // The world.
  let worldDir = flag('world');
  if (!worldDir) {
    worldDir = path.join(work, 'world');
    const t0 = process.hrtime.bigint();
    await writeWorldFiles(worldDir, serializeWorld(generateWorld(1, 'full')));
    log(`world generated (seed 1, full) in ${seconds(t0).toFixed(1)} s`);
  }
  const lines = readFileSync(path.join(worldDir, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const subset = allDocuments ? lines : lines.slice(0, documentLimit);
  const subsetFile = path.join(work, 'subset.jsonl');
  writeFileSync(subsetFile, `${subset.join('\n')}\n`);

  // The model.
  const referenceDir = path.join(ROOT, 'models', 'reference');
  let modelDir = flag('model');
  let modelNote = 'given with --model';
  if (!modelDir && existsSync(path.join(referenceDir, 'config.json'))) {
    modelDir = referenceDir;
    modelNote = 'models/reference (trained)';
  }
  if (!modelDir) {
    modelDir = path.join(work, 'model');
    const config = referenceModelConfig();
    writeModelDirectory(modelDir, config, initGpt2Parameters(config, 1));
    modelNote = 'random initial weights of the reference size: models/reference/ does not exist yet (the rates do not depend on the weights)';
  }
  log(`model: ${modelNote}`);

  const scratch = await createScratchDatabase('postgres');
  const db = scratch.db;
  const workers: WorkerProcess[] = [];
  try {
    await applyMigrations(db.sql);
    const services = createServices(db);
    await services.modelRegistry.register(modelDir, { name: 'bench' });
    let t0 = process.hrtime.bigint();
    await services.corpusImport.importFile('bench', subsetFile);
    log(`imported ${subset.length} documents in ${seconds(t0).toFixed(1)} s`);
    const spaceOf = (name: string, seed: number) =>
      services.projectionSpaces.create({ modelName: 'bench', name, outRank: rank, inRank: rank, sketchDims, seed });
    const engineSpace = await spaceOf('engine', 0);
    const runtime = await services.projectionSpaces.runtime(engineSpace.id);
    const config = gpt2ConfigOf(runtime.loaded);

    // 1. The engine's own rate, job-sized chunks alternating with the raw MatMul.
    const corpus = await db.prisma.corpus.findFirstOrThrow({ where: { name: 'bench' } });
    const docs = await db.prisma.document.findMany({ where: { corpusId: corpus.id }, orderBy: { id: 'asc' }, select: { id: true, text: true } });
    const sequences: TokenizedSequence[] = docs
      .map((d) => ({ id: String(d.id), tokens: runtime.loaded.tokenizer.encode(d.text), scoreFrom: 0 }))
      .filter((s) => s.tokens.length >= 2);
    const totalTokens = sequences.reduce((s, q) => s + q.tokens.length, 0);
    const budget = { context: config.nPositions, tokenBudget };
    // room for every shape of both batchings, so that no graph is compiled twice
    const engine = new GradientEngine(
      runtime.loaded,
      defaultEngineSettings({ device, intraOpThreads: threads }),
      new SessionCache(planShapeCount(budget) + 32),
    );
    const chunks: TokenizedSequence[][] = [];
    for (let i = 0; i < sequences.length; i += batchSize) chunks.push(sequences.slice(i, i + batchSize));
    type Batching = 'tokenBudget' | 'fixedBatches';
    const run = (batching: Batching, chunk: TokenizedSequence[]) =>
      projectDocuments(engine, runtime.space, chunk, batching === 'tokenBudget' ? { tokenBudget } : {});
    /** Padded batches [B, T] of a chunk under each batching (the engine computes every position). */
    const shapesOf = (batching: Batching, chunk: TokenizedSequence[]) =>
      batching === 'tokenBudget'
        ? planTokenBudgetBatches(chunk.filter(isScorable), budget).map((b) => ({ rows: b.windows.length, T: b.seqLen, windows: b.windows }))
        : [...sequenceBatches(chunk, { context: config.nPositions })].map((b) => ({ rows: b.batch.batch, T: b.batch.seqLen, windows: b.windows }));
    t0 = process.hrtime.bigint();
    for (const chunk of chunks) for (const batching of ['tokenBudget', 'fixedBatches'] as const) await run(batching, chunk); // compiles every shape once
    const compileSeconds = seconds(t0);
    // on a GPU a 1024² product is too small to time against the host transfers
    const matmulSize = device === 'cuda' ? 4096 : 1024;
    const mm = await rawMatmul(matmulSize);
    await mm();
    const perBatching = (['tokenBudget', 'fixedBatches'] as const).map((batching) => ({
      batching,
      times: [] as number[],
      gflops: [] as number[],
      ratios: [] as number[],
      positions: 0,
      windowTokens: 0,
    }));
    const rawGflops: number[] = [];
    for (const chunk of chunks) {
      // both batchings of the same chunk back to back, then the raw MatMul: load changes hit all alike
      for (const b of perBatching) {
        let flops = 0;
        for (const shape of shapesOf(b.batching, chunk)) {
          flops += projectionHeadFlops(config, shape.rows, shape.T);
          b.positions += shape.rows * shape.T;
          b.windowTokens += planPadding([{ windows: shape.windows, seqLen: shape.T }]).tokens;
        }
        const t = process.hrtime.bigint();
        await run(b.batching, chunk);
        const s = seconds(t);
        b.times.push(s);
        b.gflops.push(flops / s / 1e9);
      }
      const raw = await mm();
      rawGflops.push(raw);
      for (const b of perBatching) b.ratios.push(b.gflops[b.gflops.length - 1]! / raw);
    }
    const summarize = (b: (typeof perBatching)[number]) => {
      const total = b.times.reduce((x, y) => x + y, 0);
      return {
        documentsPerSecond: round(sequences.length / total),
        tokensPerSecond: round(totalTokens / total),
        // 1 − real tokens (window tokens: a long document's overlapping token counts twice) / padded positions
        paddingShare: round(1 - b.windowTokens / b.positions, 2),
        paddedPositions: b.positions,
        medianGflops: round(median(b.gflops)),
        medianRatioToRawMatmul: round(median(b.ratios), 2),
      };
    };
    const summary = { tokenBudget: summarize(perBatching[0]!), fixedBatches: summarize(perBatching[1]!) };
    const engineResult = {
      ...summary.tokenBudget,
      tokenBudget,
      fixedBatches: summary.fixedBatches,
      tokenBudgetOverFixedBatches: round(summary.tokenBudget.documentsPerSecond / summary.fixedBatches.documentsPerSecond, 3),
      medianRawMatmulGflops: round(median(rawGflops)),
      chunks: chunks.length,
      rawMatmul: `${matmulSize}x${matmulSize} float32, two products after each chunk`,
      sessionCompileSeconds: round(compileSeconds),
      compiledShapes: engine.cache.size,
    };
    log(`engine: ${JSON.stringify(engineResult)}`);

    // 2. End to end through the queue, with worker processes.
    const queue = new JobQueue(db);
    await queue.start();
    const completedIn = async (spaceId: number) => {
      const [row] = await db.sql.query<{ done: number; all: number }>(
        `SELECT count(*) FILTER (WHERE state = 'completed')::int AS done, count(*)::int AS all
           FROM ${JOB_SCHEMA}.job WHERE name = $1 AND (data->>'spaceId')::int = $2`,
        [PROJECT_DOCUMENTS, spaceId],
      );
      return { done: Number(row!.done), all: Number(row!.all) };
    };
    const ingestOnce = async (spaceName: string, seed: number) => {
      const space = await spaceOf(spaceName, seed);
      const t = process.hrtime.bigint();
      const { batches } = await services.ingestion.enqueue(queue, 'bench', space, batchSize);
      for (;;) {
        const { done, all } = await completedIn(space.id);
        if (all === batches && done === batches) break;
        if (workers.some((w) => w.child.exitCode !== null)) throw new Error('a worker process exited during the benchmark');
        await sleep(200);
      }
      const s = seconds(t);
      const [row] = await db.sql.query<{ n: number; tokens: number }>(
        'SELECT count(*)::int AS n, coalesce(sum(token_count), 0)::int AS tokens FROM document_projections WHERE space_id = $1',
        [space.id],
      );
      const projected = Number(row!.n);
      return { seconds: round(s), documentsPerSecond: round(projected / s), tokensPerSecond: round(Number(row!.tokens) / s), projected };
    };
    // 1 worker with all threads, 1 worker with half of them, 2 workers with half each
    const half = Math.max(1, Math.floor(threads / 2));
    const configs =
      cpus().length >= 2
        ? [
            { workers: 1, threads },
            { workers: 1, threads: half },
            { workers: 2, threads: half },
          ]
        : [{ workers: 1, threads }];
    const endToEnd: Record<string, unknown>[] = [];
    let seed = 100;
    for (const c of configs) {
      workers.length = 0;
      for (let i = 0; i < c.workers; i++) workers.push(startWorkerProcess(scratch.url!, c.threads));
      await Promise.all(workers.map((w) => w.ready));
      const cold = await ingestOnce(`e2e-${c.workers}w${c.threads}t-cold`, seed++);
      const warm = await ingestOnce(`e2e-${c.workers}w${c.threads}t-warm`, seed++);
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      const row = { workers: c.workers, threadsPerWorker: c.threads, cold, warm };
      endToEnd.push(row);
      log(`end to end: ${JSON.stringify(row)}`);
    }
    workers.length = 0;
    await queue.stop();

    // 3. The database write rate on its own, at the space's dims, then the index build.
    // binary vector parameters, as the services write on Postgres
    const repo = new DocumentProjectionWriteRepository(db.sql, undefined, 'binary');
    const allFile = path.join(worldDir, 'corpus.jsonl');
    t0 = process.hrtime.bigint();
    await services.corpusImport.importFile('world', allFile);
    log(`imported the whole world (${lines.length} documents) for the write benchmark in ${seconds(t0).toFixed(1)} s`);
    const worldCorpus = await db.prisma.corpus.findFirstOrThrow({ where: { name: 'world' } });
    const docIds = (
      await db.prisma.document.findMany({ where: { corpusId: worldCorpus.id }, orderBy: { id: 'asc' }, select: { id: true }, take: writeRows })
    ).map((d) => d.id);
    const rng = new Mulberry32(3);
    const randomRecord = (documentId: number): DocumentProjectionRecord => ({
      documentId,
      full: Float32Array.from({ length: engineSpace.fullDims }, () => rng.normal()),
      sketch: Float32Array.from({ length: engineSpace.sketchDims }, () => rng.normal()),
      loss: 100 * rng.next(),
      tokenCount: 100,
      gradientNorm: 10 * rng.next(),
    });
    const writes: Record<string, unknown>[] = [];
    let lastSpace = engineSpace;
    for (const rowsPerCall of [batchSize, 500]) {
      const rates: number[] = [];
      const formatShares: number[] = [];
      for (let run = 0; run < 3; run++) {
        // each run inserts one new row per document into a fresh space, `rowsPerCall` per call
        const space = await spaceOf(`write-${rowsPerCall}-${run}`, seed++);
        lastSpace = space;
        let spent = 0;
        let formatting = 0;
        for (let i = 0; i < docIds.length; i += rowsPerCall) {
          const records = docIds.slice(i, i + rowsPerCall).map(randomRecord);
          const t = process.hrtime.bigint();
          await repo.upsertMany(space.id, records);
          spent += seconds(t);
          // the client-side share: the binary vector parameters upsertMany binds, encoded again on their own
          const f = process.hrtime.bigint();
          for (const r of records) {
            toVectorBinary(r.full!, 'vector', 'full');
            toVectorBinary(r.sketch!, 'halfvec', 'sketch');
          }
          formatting += seconds(f);
        }
        rates.push(docIds.length / spent);
        formatShares.push(formatting / spent);
      }
      writes.push({
        rowsPerCall,
        rows: docIds.length,
        medianVectorsPerSecond: round(median(rates)),
        runs: rates.map((r) => round(r)),
        medianShareEncodingVectors: round(median(formatShares), 2),
      });
    }
    log(`writes: ${JSON.stringify(writes)}`);
    const [sizes] = await db.sql.query<{ rows: number; row_bytes: number; sketch_bytes: number; full_bytes: number; table_bytes: string }>(
      `SELECT count(*)::int AS rows, avg(pg_column_size(p.*))::float8 AS row_bytes, avg(pg_column_size(sketch))::float8 AS sketch_bytes,
              avg(pg_column_size("full"))::float8 AS full_bytes, pg_total_relation_size('document_projections')::text AS table_bytes
         FROM document_projections p`,
    );
    const indexRows = await repo.count(lastSpace.id);
    t0 = process.hrtime.bigint();
    // whitens the sketches when the space can have a search basis, then builds both graphs
    const indexName = await services.ingestion.finalize(lastSpace);
    const indexSeconds = seconds(t0);
    const [idx] = await db.sql.query<{ bytes: string }>(`SELECT pg_relation_size(to_regclass($1))::text AS bytes`, [`"${indexName}"`]);
    const storage = {
      rows: Number(sizes!.rows),
      avgRowBytes: round(Number(sizes!.row_bytes), 4),
      avgSketchBytes: round(Number(sizes!.sketch_bytes), 4),
      avgFullBytes: round(Number(sizes!.full_bytes), 4),
      tableBytesPerRow: round(Number(sizes!.table_bytes) / Number(sizes!.rows), 4),
      hnsw: {
        rows: indexRows,
        index: indexName,
        buildSeconds: round(indexSeconds),
        indexBytes: Number(idx!.bytes),
        bytesPerRow: round(Number(idx!.bytes) / indexRows, 4),
      },
    };

    type Row = { warm: { documentsPerSecond: number }; cold: { documentsPerSecond: number } };
    const one = endToEnd[0] as Row;
    const oneHalf = endToEnd[1] as Row | undefined;
    const two = endToEnd[2] as Row | undefined;
    const bestEndToEnd = Math.max(...(endToEnd as Row[]).map((r) => r.warm.documentsPerSecond));
    const writeRate = (writes[0] as { medianVectorsPerSecond: number }).medianVectorsPerSecond;
    const report = {
      model: { note: modelNote, ...config, parameters: Number(runtime.model.parameterCount) },
      world: { dir: worldDir, documents: sequences.length, of: lines.length, tokens: totalTokens },
      space: { rank, fullDims: engineSpace.fullDims, sketchDims: engineSpace.sketchDims, trackedLayers: runtime.space.layers.length },
      device,
      threads,
      batchSize,
      cores: cpus().length,
      loadAverage: loadavg().map((x) => round(x, 3)),
      engine: engineResult,
      endToEnd,
      writes,
      storage,
      ratios: {
        writeRateOverEndToEnd: round(writeRate / bestEndToEnd),
        endToEndWarmOverEngine: round(one.warm.documentsPerSecond / engineResult.documentsPerSecond, 2),
        endToEndColdOverEngine: round(one.cold.documentsPerSecond / engineResult.documentsPerSecond, 2),
        twoWorkersOverOne: two ? round(two.warm.documentsPerSecond / one.warm.documentsPerSecond, 2) : null,
        twoWorkersOverOneWithTheirThreads: two && oneHalf ? round(two.warm.documentsPerSecond / oneHalf.warm.documentsPerSecond, 2) : null,
      },
      ratioNotes: {
        writeRateOverEndToEnd: `job-sized upserts (${batchSize} rows) over the best warm end-to-end rate`,
        endToEndWarmOverEngine: '1 worker with all threads, warm, over the in-process engine with the same threads',
        twoWorkersOverOne: '2 workers with half the threads each over 1 worker with all threads (same cores)',
        twoWorkersOverOneWithTheirThreads: '2 workers over 1 worker with the same threads per worker (1.0 = no contention at all, 2.0 = perfect scaling)',
      },
      targets: { writeRateOverEndToEnd: '>= 10', endToEndWarmOverEngine: '>= 0.8', twoWorkersOverOne: '>= ~1 (no loss to contention)' },
    };
    const text = `${JSON.stringify(report, null, 2)}\n`;
    process.stdout.write(text);
    const jsonOut = flag('json');
    if (jsonOut) writeFileSync(jsonOut, text);
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
