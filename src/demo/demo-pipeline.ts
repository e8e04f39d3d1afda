import { existsSync } from 'node:fs';
import path from 'node:path';

import { fitFactorDirectory } from '../influence/factor-directory.fitter';
import { loadModelDirectory } from '../model/model-directory.loader';
import type { JobQueue } from '../jobs/job-queue';
import type { QueryKindName } from '../domain/query-kind';
import type { QueryInputData } from '../domain/query-input';
import type { Services } from '../services/service-container';
import type { WorldQuery } from '../world/world.types';
import { readWorld } from '../world/world.reader';
import { WORLD_GENERATOR_VERSION, generateWorld } from '../world/world.generator';
import { WORLD_FILES, serializeWorld } from '../world/world.serializer';
import { writeWorldFiles } from '../world/world.writer';

/** What the demo sets up (defaults in {@link defaultDemoSettings}). */
export interface DemoSettings {
  /** Directory for the demo's world and factors (`.tracebase/demo` beside the embedded database). */
  workDir: string;
  /** Model directory (HF GPT-2 layout): the committed reference model. */
  modelDir: string;
  /** Seed of the demo world. */
  worldSeed: number;
  /** Documents of the world the EK-FAC factors are fitted on (the first N of the corpus). */
  factorDocuments: number;
  /** Eigenbasis rank per tracked layer (r_o = r_i) of the projection space. */
  spaceRank: number;
  /** Sketch dimensions of the projection space (HNSW-indexed). */
  sketchDims: number;
  /** Documents per ingestion job. */
  jobDocuments: number;
  /** Queries per gradient computation call. */
  queryChunk: number;
}

/** The names the demo registers things under. */
export const DEMO_NAMES = { corpus: 'demo-world', factorSet: 'demo-ekfac', space: 'demo-eigenbasis' } as const;

/** Defaults: the demo world of seed 1, factors on 500 documents, an eigenbasis space of rank 16 per layer. */
export function defaultDemoSettings(baseDir: string, modelDir: string): DemoSettings {
  return {
    workDir: path.join(baseDir, 'demo'),
    modelDir,
    worldSeed: 1,
    factorDocuments: 500,
    spaceRank: 16,
    sketchDims: 512,
    jobDocuments: 64,
    queryChunk: 20,
  };
}

/** Receives the demo's progress. */
export interface DemoReporter {
  /** A step begins. */
  step(name: string): void;
  /** A step reports progress (done of total units). */
  progress(label: string, done: number, total: number, unit: string): void;
  /** A step ended, with a one-line summary. */
  done(name: string, summary: string, seconds: number): void;
}

/** A world query as stored by the demo. */
export interface DemoQuery {
  id: number;
  externalId: string;
  kind: WorldQuery['kind'];
  task: string;
  prompt: string;
  answer: string;
  /** Whether the model's greedy answer is right (null: undecidable). */
  answeredCorrectly: boolean | null;
}

/** What the demo set up, for printing examples. */
export interface DemoState {
  corpus: string;
  documents: number;
  model: string;
  modelHash: string;
  factorSet: string;
  factorSetId: number;
  space: string;
  spaceId: number;
  projected: number;
  queries: DemoQuery[];
  /** Seconds per step. */
  timings: { step: string; seconds: number }[];
}

/** The world's queries as platform queries: id, kind, answer keywords, and the task as a tag. */
export function worldQueryInputs(queries: readonly WorldQuery[]): QueryInputData[] {
  return queries.map((q) => ({
    externalId: q.id,
    prompt: q.prompt,
    completion: q.completion,
    kind: q.kind.toUpperCase() as QueryKindName,
    answerKeywords: q.answerKeywords,
    tags: [q.task],
  }));
}

async function ensureWorld(dir: string, seed: number): Promise<Awaited<ReturnType<typeof readWorld>>> {
  if (existsSync(path.join(dir, WORLD_FILES.manifest))) {
    const world = await readWorld(dir);
    const m = world.manifest;
    if (m.generatorVersion === WORLD_GENERATOR_VERSION && m.seed === seed && m.size === 'demo') return world;
  }
  await writeWorldFiles(dir, serializeWorld(generateWorld(seed, 'demo')), { force: true });
  return readWorld(dir);
}

/**
 * Sets up the demo end to end, each step idempotent (a second run reuses what is there):
 * generate the demo world; import its corpus; register the reference model (under a name
 * carrying its hash, so a retrained model never meets stale vectors); fit EK-FAC factors on a
 * sample of the corpus and register them; project every document into an eigenbasis space
 * through the job queue (worked by `startWorker` in this process) and build the HNSW index;
 * store the world's 120 queries and compute their gradients, vectors and the model's greedy answers.
 */
export async function prepareDemo(services: Services, queue: JobQueue, settings: DemoSettings, reporter: DemoReporter): Promise<DemoState> {
  const timings: { step: string; seconds: number }[] = [];
  const timed = async <T>(name: string, fn: () => Promise<T>, summary: (t: T) => string): Promise<T> => {
    reporter.step(name);
    const started = Date.now();
    const value = await fn();
    const seconds = (Date.now() - started) / 1000;
    timings.push({ step: name, seconds });
    reporter.done(name, summary(value), seconds);
    return value;
  };

  const worldDir = path.join(settings.workDir, 'world');
  const world = await timed(
    'world',
    () => ensureWorld(worldDir, settings.worldSeed),
    (w) => `${w.documents.length} documents, ${w.queries.length} queries in ${worldDir}`,
  );
  const corpusFile = path.join(worldDir, WORLD_FILES.corpus);

  const imported = await timed(
    'corpus',
    () =>
      services.corpusImport.importFile(DEMO_NAMES.corpus, corpusFile, {
        onProgress: (p) => reporter.progress('import', p.lines, world.documents.length, 'documents'),
      }),
    (s) => `corpus ${DEMO_NAMES.corpus}: ${s.accepted} new, ${s.unchanged} unchanged, ${s.rejected} rejected`,
  );

  const modelHash = loadModelDirectory(settings.modelDir).hash;
  const modelName = `reference-${modelHash.slice(0, 8)}`;
  await timed(
    'model',
    () => services.modelRegistry.register(settings.modelDir, { name: modelName }),
    (r) => `${r.created ? 'registered' : 'already registered'} ${modelName} from ${settings.modelDir}`,
  );

  const factorDir = path.join(settings.workDir, `factors-${modelHash.slice(0, 8)}`);
  await timed(
    'factors',
    async () => {
      const fit = await fitFactorDirectory({
        modelDir: settings.modelDir,
        corpusFile,
        outDir: factorDir,
        strategy: 'ekfac',
        fisher: 'sampled',
        maxDocs: settings.factorDocuments,
        seed: 0,
        batchWindows: 8,
        overwrite: false,
        device: 'cpu',
        onProgress: (p) => reporter.progress(`factors (${p.pass})`, p.sequences, p.total, 'documents'),
      });
      await services.factorSets.register(modelName, factorDir, DEMO_NAMES.factorSet);
      return fit;
    },
    (f) => `EK-FAC factors on ${f.documents ?? '?'} documents ${f.reused ? '(reused)' : ''} in ${factorDir}`,
  );

  const space = await timed(
    'space',
    () =>
      services.projectionSpaces.create({
        modelName,
        name: DEMO_NAMES.space,
        outRank: settings.spaceRank,
        inRank: settings.spaceRank,
        sketchDims: settings.sketchDims,
        seed: 0,
        kind: 'eigenbasis',
        factorSetName: DEMO_NAMES.factorSet,
      }),
    (s) => `space ${s.name}: ${s.fullDims} full / ${s.sketchDims} sketch dimensions (eigenbasis, rank ${settings.spaceRank} per layer)`,
  );

  const ingestion = await timed(
    'ingest',
    async () => {
      const { corpusId } = await services.ingestion.enqueue(queue, DEMO_NAMES.corpus, space, settings.jobDocuments);
      for (;;) {
        const state = await services.ingestion.progress(corpusId, space.id);
        reporter.progress('ingest', state.projected, state.total, 'documents');
        const status = await services.ingestion.status(DEMO_NAMES.corpus, space);
        const open = status.jobs.created + status.jobs.retry + status.jobs.active;
        if (open === 0) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      reporter.step('ingest: fitting the search whitening and building the HNSW index (one statement, no progress figures; about 40 s on the demo)');
      const index = await services.ingestion.finalize(space);
      return { ...(await services.ingestion.progress(corpusId, space.id)), index };
    },
    (s) => `${s.projected} of ${s.total} documents projected; index ${String(s.index)}`,
  );

  const factorSet = await services.factorSets.byName(space.modelId, DEMO_NAMES.factorSet);
  const queries = await timed(
    'queries',
    async () => {
      const created = await services.queries.create(modelName, worldQueryInputs(world.queries));
      const ids = created.map((c) => c.record.id);
      // a query computed by an earlier run (nats and answer stored) keeps its result
      const correct = new Map<number, boolean | null>(
        created.filter((c) => c.record.computedAt !== null).map((c) => [c.record.id, c.record.answeredCorrectly]),
      );
      const todo = ids.filter((id) => !correct.has(id));
      for (let i = 0; i < todo.length; i += settings.queryChunk) {
        reporter.progress('query gradients and greedy answers', i, todo.length, 'queries');
        for (const r of await services.queryGradients.computeWithAnswers(todo.slice(i, i + settings.queryChunk), factorSet.id, [space.id]))
          correct.set(r.id, r.answeredCorrectly);
      }
      reporter.progress('query gradients and greedy answers', todo.length, todo.length, 'queries');
      return world.queries.map((q, i) => ({
        id: ids[i]!,
        externalId: q.id,
        kind: q.kind,
        task: q.task,
        prompt: q.prompt,
        answer: q.answer,
        answeredCorrectly: correct.get(ids[i]!) ?? null,
      }));
    },
    (q) =>
      `${q.length} queries with gradients under ${DEMO_NAMES.factorSet} in ${DEMO_NAMES.space}; the model answers ${q.filter((x) => x.answeredCorrectly === true).length} correctly`,
  );

  return {
    corpus: DEMO_NAMES.corpus,
    documents: imported.accepted + imported.unchanged,
    model: modelName,
    modelHash,
    factorSet: DEMO_NAMES.factorSet,
    factorSetId: factorSet.id,
    space: DEMO_NAMES.space,
    spaceId: space.id,
    projected: ingestion.projected,
    queries,
    timings,
  };
}
