/**
 * The real vectors of the retrieval benchmark, made by the platform's own code: a demo world's
 * documents imported as a corpus, the reference model registered, curvature factors fitted by
 * `tracebase factors fit` and registered, a Gaussian projection space, the ingestion jobs
 * queued and worked by the worker in this process, the HNSW index built; then world queries
 * stored and their vectors y_q computed by the query-gradient service. Every step is
 * idempotent, so a database kept by an earlier run (`--reuse`) is completed, not redone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Database } from '../../src/db/database.types';
import { PROJECT_DOCUMENTS } from '../../src/domain/queue-name';
import { JobQueue } from '../../src/jobs/job-queue';
import { CorpusRepository } from '../../src/repositories/corpus.repository';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../../src/domain/document-projection.record';
import { DocumentRepository } from '../../src/repositories/document.repository';
import type { FactorSetRecord } from '../../src/domain/factor-set.record';
import type { ProjectionSpaceRecord } from '../../src/domain/projection-space.record';
import type { QueryKindName } from '../../src/domain/query-kind';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import type { Services } from '../../src/services/service-container';
import { startWorker } from '../../src/worker/worker';
import { generateWorld } from '../../src/world/world.generator';
import { serializeWorld, WORLD_FILES } from '../../src/world/world.serializer';
import { writeWorldFiles } from '../../src/world/world.writer';

const ROOT = path.resolve(__dirname, '..', '..');
export const BENCH_MODEL_NAME = 'bench';
export const BENCH_FACTOR_SET_NAME = 'bench-ekfac';
/** Every space of the benchmark uses these matrices, so that y_q is the same in all of them. */
export const BENCH_PROJECTION_SEED = 0;

const log = (line: string) => process.stderr.write(`bench:retrieval: ${line}\n`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/** One ingested real document with its stored projection. */
export interface RealDocument {
  readonly documentId: number;
  readonly externalId: string;
  readonly source: string;
  readonly record: DocumentProjectionRecord;
}

/** A world query with its stored vector in one space. */
export interface BenchQuery {
  readonly queryId: number;
  readonly externalId: string;
  readonly kind: string;
  readonly task: string;
  readonly nats: number;
}

export interface RealSetup {
  readonly factorSet: FactorSetRecord;
  readonly space: ProjectionSpaceRecord;
  readonly documents: RealDocument[];
  readonly worldDir: string;
  readonly modelDir: string;
  /** Seconds of each step this run did (absent: already done in a reused database). */
  readonly timings: Record<string, number>;
}

interface WorldQueryLine {
  id: string;
  kind: string;
  task: string;
  prompt: string;
  completion: string;
  answerKeywords?: string[];
}

/** The world's directory: given, or the demo world of seed 1 generated into the work directory. */
async function ensureWorld(workDir: string, given: string | undefined): Promise<string> {
  if (given) return path.resolve(given);
  const dir = path.join(workDir, 'world');
  if (!existsSync(path.join(dir, WORLD_FILES.manifest))) {
    const t0 = process.hrtime.bigint();
    await writeWorldFiles(dir, serializeWorld(generateWorld(1, 'demo')), { force: true });
    log(`world generated (seed 1, demo) in ${seconds(t0).toFixed(1)} s`);
  }
  return dir;
}

/** `count` lines spread evenly over `lines` (keeps the corpus' mix of sources). */
function evenlySpaced<T>(lines: readonly T[], count: number): T[] {
  if (count >= lines.length) return [...lines];
  return Array.from({ length: count }, (_, i) => lines[Math.floor((i * lines.length) / count)]!);
}

function readLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Ingests the real documents (or completes a reused database's ingestion). */
export async function setupRealVectors(
  db: Database,
  services: Services,
  options: {
    workDir: string;
    worldDir?: string;
    modelDir?: string;
    realDocuments: number;
    fitDocuments: number;
    rank: number;
    sketchDims: number;
    threads?: number;
  },
): Promise<RealSetup> {
  const timings: Record<string, number> = {};
  mkdirSync(options.workDir, { recursive: true });
  const worldDir = await ensureWorld(options.workDir, options.worldDir);
  const modelDir = path.resolve(options.modelDir ?? path.join(ROOT, 'models', 'reference'));
  if (!existsSync(path.join(modelDir, 'config.json'))) throw new Error(`no model in ${modelDir} (config.json missing); give --model DIR`);

  const corpusLines = readLines(path.join(worldDir, WORLD_FILES.corpus));
  if (options.realDocuments > corpusLines.length) {
    throw new Error(`--real-documents ${options.realDocuments}: the world in ${worldDir} has ${corpusLines.length} documents`);
  }
  const subset = evenlySpaced(corpusLines, options.realDocuments);
  const corpusName = `bench-real-${subset.length}`;
  const subsetFile = path.join(options.workDir, `${corpusName}.jsonl`);
  const fitFile = path.join(options.workDir, `fit-${options.fitDocuments}.jsonl`);
  writeFileSync(subsetFile, `${subset.join('\n')}\n`);
  writeFileSync(fitFile, `${subset.slice(0, options.fitDocuments).join('\n')}\n`);

  let t0 = process.hrtime.bigint();
  await services.modelRegistry.register(modelDir, { name: BENCH_MODEL_NAME });
  const corpora = new CorpusRepository(db.prisma);
  const documents = new DocumentRepository(db.sql);
  let corpus = await corpora.findByName(corpusName);
  if (!corpus || (await documents.countInCorpus(corpus.id)) < subset.length) {
    t0 = process.hrtime.bigint();
    await services.corpusImport.importFile(corpusName, subsetFile);
    corpus = (await corpora.findByName(corpusName))!;
    timings.importSeconds = seconds(t0);
    log(`imported ${subset.length} world documents in ${timings.importSeconds.toFixed(1)} s`);
  }

  // Curvature factors: the CLI, as a user fits them (a child process at this process' priority).
  const factorsDir = path.join(options.workDir, `factors-${options.fitDocuments}`);
  let factorSet: FactorSetRecord;
  const { model } = await services.modelRegistry.loadRegistered(BENCH_MODEL_NAME);
  try {
    factorSet = await services.factorSets.byName(model.id, BENCH_FACTOR_SET_NAME);
  } catch {
    t0 = process.hrtime.bigint();
    const args = ['bin/tracebase.js', 'factors', 'fit', '--model', modelDir, '--corpus', fitFile, '--out', factorsDir];
    if (options.threads) args.push('--threads', String(options.threads));
    const fit = spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1' },
    });
    if (fit.status !== 0) throw new Error(`tracebase factors fit failed (${fit.status}): ${fit.stderr}`);
    factorSet = (await services.factorSets.register(BENCH_MODEL_NAME, factorsDir, BENCH_FACTOR_SET_NAME)).record;
    timings.factorFitSeconds = seconds(t0);
    log(`factors fitted on ${options.fitDocuments} documents and registered in ${timings.factorFitSeconds.toFixed(1)} s`);
  }

  const space = await services.projectionSpaces.create({
    modelName: BENCH_MODEL_NAME,
    name: `real-${subset.length}-r${options.rank}-s${options.sketchDims}`,
    outRank: options.rank,
    inRank: options.rank,
    sketchDims: options.sketchDims,
    seed: BENCH_PROJECTION_SEED,
  });
  const progress = await services.ingestion.progress(corpus.id, space.id);
  if (progress.projected < progress.total) {
    t0 = process.hrtime.bigint();
    const queue = new JobQueue(db, { pollingIntervalSeconds: 0.5 });
    await queue.start();
    try {
      const { batches } = await services.ingestion.enqueue(queue, corpusName, space, 32);
      log(`ingesting ${progress.total - progress.projected} documents (${batches} jobs) with the worker in this process`);
      await startWorker(queue, services, { concurrency: 1, ...(options.threads ? { engine: { intraOpThreads: options.threads } } : {}) });
      let last = Date.now();
      while ((await queue.pending(PROJECT_DOCUMENTS)) > 0) {
        await new Promise((r) => setTimeout(r, 500));
        if (Date.now() - last > 15_000) {
          last = Date.now();
          const p = await services.ingestion.progress(corpus.id, space.id);
          log(`  ${p.projected} / ${p.total} projected`);
        }
      }
    } finally {
      await queue.stop();
    }
    timings.ingestSeconds = seconds(t0);
    const done = await services.ingestion.progress(corpus.id, space.id);
    log(`ingested ${done.projected} / ${done.total} documents in ${timings.ingestSeconds.toFixed(1)} s`);
  }
  await services.ingestion.finalize(space);

  // The stored real vectors, in document-id order.
  const ids: number[] = [];
  for (let after = 0; ;) {
    const page = await documents.idsInCorpus(corpus.id, after, 1000);
    if (page.length === 0) break;
    ids.push(...page);
    after = page[page.length - 1]!;
  }
  const projections = new DocumentProjectionWriteRepository(db.sql);
  const records: DocumentProjectionRecord[] = [];
  for (let i = 0; i < ids.length; i += 500) records.push(...(await projections.findByDocuments(space.id, ids.slice(i, i + 500))));
  const docs = await services.documents.getMany(records.map((r) => r.documentId));
  const real: RealDocument[] = records.map((record, i) => ({
    documentId: record.documentId,
    externalId: docs[i]!.externalId,
    source: docs[i]!.source,
    record,
  }));
  if (real.length === 0) throw new Error('no real document was projected');
  return { factorSet, space, documents: real, worldDir, modelDir, timings };
}

/**
 * `count` world queries, spread over the world's tasks (round robin over task groups in file
 * order), stored with the platform's query service under the bench model.
 */
export async function createWorldQueries(
  services: Services,
  worldDir: string,
  count: number,
): Promise<{ queryId: number; externalId: string; kind: string; task: string }[]> {
  const lines = readLines(path.join(worldDir, WORLD_FILES.queries)).map((l) => JSON.parse(l) as WorldQueryLine);
  const groups = new Map<string, WorldQueryLine[]>();
  for (const q of lines) groups.set(`${q.kind}/${q.task}`, [...(groups.get(`${q.kind}/${q.task}`) ?? []), q]);
  const picked: WorldQueryLine[] = [];
  for (let round = 0; picked.length < Math.min(count, lines.length); round++) {
    for (const group of groups.values()) if (group[round] && picked.length < count) picked.push(group[round]!);
  }
  if (picked.length < count) throw new Error(`--queries ${count}: the world has ${lines.length} queries`);
  const created = await services.queries.create(
    BENCH_MODEL_NAME,
    picked.map((q) => ({
      externalId: q.id,
      prompt: q.prompt,
      completion: q.completion,
      kind: q.kind.toUpperCase() as QueryKindName,
      answerKeywords: q.answerKeywords ?? [],
      tags: [q.task],
    })),
  );
  return created.map((c, i) => ({ queryId: c.record.id, externalId: picked[i]!.id, kind: picked[i]!.kind, task: picked[i]!.task }));
}

/**
 * Makes sure each query has y_q in every given space (computing, with the platform's
 * query-gradient service, only for the queries that lack one), and returns nats(q).
 */
export async function ensureQueryVectors(
  db: Database,
  services: Services,
  queries: readonly { queryId: number; externalId: string; kind: string; task: string }[],
  factorSetId: number,
  spaceIds: readonly number[],
): Promise<{ queries: BenchQuery[]; computeSeconds?: number }> {
  const vectors = new QueryVectorRepository(db.sql);
  const missing: number[] = [];
  for (const q of queries) {
    const g = await vectors.findGradient(q.queryId, factorSetId);
    let complete = g !== null;
    for (const s of spaceIds) if (complete && !(await vectors.findProjection(g!.id, s))) complete = false;
    if (!complete) missing.push(q.queryId);
  }
  let computeSeconds: number | undefined;
  if (missing.length > 0) {
    const t0 = process.hrtime.bigint();
    await services.queryGradients.compute(missing, factorSetId, spaceIds);
    computeSeconds = seconds(t0);
    log(`query vectors of ${missing.length} queries computed in ${spaceIds.length} spaces in ${computeSeconds.toFixed(1)} s`);
  }
  const out: BenchQuery[] = [];
  for (const q of queries) {
    const g = (await vectors.findGradient(q.queryId, factorSetId))!;
    out.push({ ...q, nats: g.nats });
  }
  return { queries: out, ...(computeSeconds !== undefined ? { computeSeconds } : {}) };
}
