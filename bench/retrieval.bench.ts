/**
 * Retrieval benchmark (a script, not a test): `npm run bench:retrieval -- [options]`.
 *
 * Measures the two-stage retrieval of docs/design.md "Mathematics" on real Postgres + pgvector, through the
 * code the API runs:
 *
 * 1. real vectors: a demo world's documents ingested with the reference model (models/reference,
 *    read at run time) by the platform's own code: corpus import, model registration,
 *    `tracebase factors fit` + registration, a Gaussian projection space per rank of `--rank`
 *    (r per layer side, sketch ≤ 512 dims), the ingestion jobs worked by the worker in this
 *    process, the HNSW index; world queries stored and their y_q computed by the
 *    query-gradient service;
 * 2. N synthetic documents per size (replicas of the real vectors: each a real one scaled by a
 *    log-normal factor plus relative Gaussian noise; bench/retrieval/vector-replication.ts),
 *    written through the worker's write path (`IngestionService.store`, the repository's bulk
 *    upsert) into a space with the same matrices and indexed by `IngestionService.finalize`
 *    (ensureSketchIndex + ANALYZE);
 * 3. for the real space and each N: the truth (exact top-k by the full inner product, a scan),
 *    the exact sketch top-k, and for the service's default ef_search and each ef_search of the
 *    sweep, ANN and RERANKED through `InfluenceSearchService.topInfluences`: recall@k against
 *    the truth, p50/p95 latency, and brute-force p50 / RERANKED p50;
 * 4. HTTP load: the GraphQL server on loopback, autocannon at a fixed concurrency on
 *    `topInfluences(mode: RERANKED, k: 100)` against the largest space of the first rank:
 *    requests/s, p50, p99, errors.
 *
 * Prints Markdown tables (stdout), progress on stderr; `--json FILE` writes everything.
 *
 * Options: --sizes 10000,100000 | --million (adds N = 1 000 000) | --queries 20 |
 * --ef 40,100,200,400,800 | --repeats 3 | --k 100 | --duration 10 (seconds of load) |
 * --connections 32 | --no-load | --real-documents 2500 | --fit-documents 256 | --rank 8,16 |
 * --sketch-dims 512 | --noise 0.5 | --scale-spread 0.25 | --seed 1 | --write-concurrency 2 |
 * --threads N | --model DIR | --world DIR | --work DIR | --json FILE | --keep (keep the database
 * and work directory) | --reuse URL (a database kept by an earlier run: only what is missing is
 * done) | --quick (N = 2000, rank 16, 6 queries, 160 real documents, 3 s of load: a smoke run).
 * Needs DATABASE_URL (a Postgres + pgvector server and a role with CREATEDB) unless --reuse.
 */
import 'reflect-metadata';

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import { SEARCH_INDEX_BUILD } from '../src/repositories/document-projections/document-projection-index.repository';
import { createServices } from '../src/services/service-container';
import { openBenchDatabase } from './retrieval/bench-database';
import { runHttpLoad, type HttpLoadResult } from './retrieval/http-load';
import { BENCH_FACTOR_SET_NAME, BENCH_MODEL_NAME, createWorldQueries, ensureQueryVectors, setupRealVectors } from './retrieval/real-vectors';
import { measureSpace, type SpaceMeasurement } from './retrieval/retrieval-measurement';
import { BenchOptionError, parseRetrievalBenchOptions, type RetrievalBenchOptions } from './retrieval/retrieval-options';
import { loadTable, spaceTable, targetVerdict } from './retrieval/retrieval-report';
import { createSyntheticSpace, ensureSyntheticCorpus, fillSyntheticSpace, type SyntheticFill, syntheticSpaceName } from './retrieval/synthetic-space';

const log = (line: string) => process.stderr.write(`bench:retrieval: ${line}\n`);
const round = (x: number) => Math.round(x * 100) / 100;

async function main(options: RetrievalBenchOptions): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl && !options.reuse) {
    process.stderr.write(
      'bench:retrieval needs DATABASE_URL (a Postgres + pgvector server whose role may CREATEDB; see docs/database.md), or --reuse URL of a database kept by an earlier run.\n',
    );
    process.exit(2);
  }
  const started = new Date();
  const loadBefore = loadavg();
  const bench = await openBenchDatabase(adminUrl ?? options.reuse!, options.reuse);
  const databaseName = new URL(bench.url).pathname.slice(1);
  const workDir = path.resolve(options.workDir ?? path.join(tmpdir(), 'tracebase-bench-retrieval', databaseName));
  mkdirSync(workDir, { recursive: true });
  log(`database ${databaseName} (${bench.created ? 'new' : 'reused'}), work directory ${workDir}`);
  let failed = false;
  try {
    const db = bench.db;
    const services = createServices(db);
    const replication = { noise: options.noise, scaleSpread: options.scaleSpread, seed: options.seed };
    // one real space per rank (the factors are fitted once), then the synthetic spaces of each
    const setups = [];
    for (const rank of options.ranks) {
      const real = await setupRealVectors(db, services, {
        workDir,
        ...(options.worldDir ? { worldDir: options.worldDir } : {}),
        ...(options.modelDir ? { modelDir: options.modelDir } : {}),
        realDocuments: options.realDocuments,
        fitDocuments: options.fitDocuments,
        rank,
        sketchDims: options.sketchDims,
        ...(options.threads ? { threads: options.threads } : {}),
      });
      const spaces = [];
      for (const n of options.sizes)
        spaces.push(
          await createSyntheticSpace(services, syntheticSpaceName(n, real.documents.length, rank, options.sketchDims, replication), rank, options.sketchDims),
        );
      setups.push({ rank, real, spaces });
    }
    const first = setups[0]!;
    const { model } = await services.modelRegistry.loadRegistered(BENCH_MODEL_NAME);
    const worldQueries = await createWorldQueries(services, first.real.worldDir, options.queries);
    const { queries, computeSeconds } = await ensureQueryVectors(
      db,
      services,
      worldQueries,
      first.real.factorSet.id,
      setups.flatMap((s) => [s.real.space.id, ...s.spaces.map((x) => x.id)]),
    );

    const measureOptions = { k: options.k, efSearch: options.efSearch, repeats: options.repeats, log };
    const measurements: { label: string; rank: number; measurement: SpaceMeasurement; fill?: SyntheticFill }[] = [];
    const realCount = first.real.documents.length;
    const corpus = await ensureSyntheticCorpus(db, services, first.real.documents, options.sizes[options.sizes.length - 1]!, options.seed, workDir);
    for (const { rank, real, spaces } of setups) {
      if (real.documents.length !== realCount) throw new Error(`rank ${rank}: ${real.documents.length} real vectors, rank ${first.rank}: ${realCount}`);
      log(`rank ${rank}: measuring the real space (${real.documents.length} documents)`);
      measurements.push({
        label: `Rank ${rank}, real vectors`,
        rank,
        measurement: await measureSpace(db, services, real.space, real.factorSet.id, queries, measureOptions),
      });
      for (const [i, n] of options.sizes.entries()) {
        const space = spaces[i]!;
        log(`rank ${rank}: synthetic space of ${n} documents`);
        const fill = await fillSyntheticSpace(db, services, space, real.documents, corpus.documentIds.subarray(0, n), replication, options.writeConcurrency);
        const measurement = await measureSpace(db, services, space, real.factorSet.id, queries, measureOptions);
        measurements.push({
          label: `Rank ${rank}, synthetic (replicas of ${realCount} real vectors, noise ${options.noise}, scale spread ${options.scaleSpread})`,
          rank,
          measurement,
          fill,
        });
      }
    }

    let load: HttpLoadResult | undefined;
    if (options.loadSeconds > 0) {
      const target = first.spaces[first.spaces.length - 1]!;
      log(`HTTP load on ${target.name}: ${options.connections} connections for ${options.loadSeconds} s`);
      load = await runHttpLoad(services, {
        factorSetName: BENCH_FACTOR_SET_NAME,
        spaceName: target.name,
        queryIds: queries.map((q) => q.queryId),
        k: options.k,
        seconds: options.loadSeconds,
        connections: options.connections,
      });
    }

    const machine = {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      loadAverageBefore: loadBefore.map(round),
      loadAverageAfter: loadavg().map(round),
    };
    const [pg] = await db.sql.query<{
      version: string;
      pgvector: string;
      shared_buffers: string;
      maintenance_work_mem: string;
      parallel_maintenance: string;
      parallel_gather: string;
    }>(
      `SELECT version() AS version, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector,
              current_setting('shared_buffers') AS shared_buffers, current_setting('maintenance_work_mem') AS maintenance_work_mem,
              current_setting('max_parallel_maintenance_workers') AS parallel_maintenance, current_setting('max_parallel_workers_per_gather') AS parallel_gather`,
    );
    const real = first.real;
    const timings = Object.assign(
      {},
      ...setups.map((x) => Object.fromEntries(Object.entries(x.real.timings).map(([key, v]) => [`${key} (rank ${x.rank})`, v]))),
    ) as Record<string, number>;
    const header = [
      `## Retrieval benchmark (${started.toISOString()}${options.quick ? ', --quick' : ''})`,
      '',
      `- model: ${real.modelDir} (hash ${model.hash.slice(0, 12)}…, ${model.parameterCount} parameters); factor set fitted on ${real.factorSet.sampleSize ?? options.fitDocuments} documents`,
      `- ${realCount} real documents ingested from ${real.worldDir}; ${setups.map((x) => `rank ${x.rank} × ${x.rank} per tracked layer: ${x.real.space.fullDims} full dims, ${x.real.space.sketchDims} sketch dims`).join('; ')} (sketch halfvec; HNSW m ${SEARCH_INDEX_BUILD.m}, ef_construction ${SEARCH_INDEX_BUILD.efConstruction} on the whitened sketches of spaces of ≥ 2 D documents, m 16, ef_construction 64 otherwise and for the normalised rankings)`,
      `- ${queries.length} world queries (${[...new Set(queries.map((q) => `${q.kind}/${q.task}`))].join(', ')}); ${options.repeats} timed pass(es) per setting; sign POSITIVE`,
      `- machine: ${machine.cores} × ${machine.cpu}, load average ${machine.loadAverageBefore.join(' / ')} at the start, ${machine.loadAverageAfter.join(' / ')} at the end`,
      `- ${pg?.version.split(',')[0]}, pgvector ${pg?.pgvector}; shared_buffers ${pg?.shared_buffers}, maintenance_work_mem ${pg?.maintenance_work_mem}, max_parallel_maintenance_workers ${pg?.parallel_maintenance}, max_parallel_workers_per_gather ${pg?.parallel_gather}`,
      ...(Object.keys(timings).length > 0 || computeSeconds !== undefined
        ? [
            `- setup seconds: ${[...Object.entries(timings).map(([key, v]) => `${key} ${v.toFixed(1)}`), ...(computeSeconds !== undefined ? [`query vectors ${computeSeconds.toFixed(1)}`] : [])].join(', ')}`,
          ]
        : []),
      ...measurements.flatMap(({ rank, measurement: m, fill }) =>
        fill && !fill.reused
          ? [
              `- rank ${rank}, N = ${m.documents}: written at ${fill.vectorsPerSecond!.toFixed(0)} vectors/s (IngestionService.store, 500 rows a call, ${options.writeConcurrency} in flight), HNSW build ${fill.indexSeconds!.toFixed(1)} s`,
            ]
          : [],
      ),
    ];
    const text = [
      header.join('\n'),
      ...measurements.map(({ label, measurement }) => spaceTable(measurement, label)),
      ...setups.map((x) => `Rank ${x.rank}: ${targetVerdict(measurements.filter((m) => m.rank === x.rank).map((m) => m.measurement))}`),
      ...(load ? [loadTable(load)] : []),
    ].join('\n\n');
    process.stdout.write(`${text}\n`);
    if (options.jsonFile) {
      const report = {
        started,
        options,
        machine,
        postgres: pg,
        model: { dir: real.modelDir, hash: model.hash },
        setup: { ...timings, computeSeconds },
        measurements,
        load,
      };
      writeFileSync(options.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    const keep = options.keep || !bench.created;
    await bench.close(keep);
    if (keep) {
      log(`kept database ${bench.url}; run again with --reuse ${bench.url}${options.workDir ? ` --work ${workDir}` : ''}`);
    } else if (!options.workDir) {
      rmSync(workDir, { recursive: true, force: true });
    }
    if (failed && bench.created && !options.keep) log('the database was dropped; use --keep to keep it after a failure');
  }
}

let options: RetrievalBenchOptions;
try {
  options = parseRetrievalBenchOptions(process.argv.slice(2));
} catch (error) {
  if (error instanceof BenchOptionError) {
    process.stderr.write(`bench:retrieval: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
main(options).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:retrieval failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
