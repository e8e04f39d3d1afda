/**
 * The demo's "queries" step, phase by phase, before and after in one run (a script, not a test):
 * `npm run bench:queries [-- --factors DIR] [--fit-docs N] [--queries N] [--chunk N] [--threads N] [--rotation-threads N]`.
 *
 * Reference model (models/reference: d = 128, 4 blocks, tracked MLP layers 512×129 and 128×513,
 * all stored at rank 32 under `auto`), EK-FAC factors from `--factors` (e.g. the demo's
 * `.tracebase/demo/factors-*`) or fitted here on the first `--fit-docs` (default 100) documents of
 * the demo world (seed 1; the factors' values do not change the timings), the world's queries in
 * chunks of `--chunk` (default 20, the demo's), as `QueryGradientService.computeWithAnswers`
 * processes them:
 * - engine: G_ℓ(q) and nats(q) (`computeQueryGradients`);
 * - precondition: M_ℓ(q) at rank 32 — before: the pure-JS float64 reference (`rotation: null`,
 *   per query and layer: rotateToEigenbasis, lowRankApproximation, two matmuls); after: batched
 *   per layer on onnxruntime in float64 (EigenbasisRotationRunner, `--rotation-threads`, default
 *   its default of 1; the engine uses `--threads`, default all cores) — timed alternately, first
 *   one then the other, on the same gradients; the maximum relative difference of the dense
 *   reconstructions U Σ Vᵀ is printed;
 * - project: y_q and its sketch in an eigenbasis space of rank 16 (the demo's), factor bytes;
 * - save: one `query_gradients` + `query_projections` transaction per query on PGlite in a temporary
 *   directory (the demo's embedded database)
 *   — before: the factor bytes as a bytea parameter (the statement before the base64 change);
 *   after: `QueryVectorRepository.save` (base64 text decoded by the server) — alternately;
 * - answers: the model's greedy answers (ModelAnswerService).
 * Prints per phase the median over chunks of ms per query, and the step's total before and after
 * with their ratio. The first chunk (session compilation) is left out of the medians.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import { openPgliteDatabase } from '../src/db/pglite.database';
import { applyMigrations } from '../src/db/migration-runner';
import { EigenbasisRotationRunner, defaultRotationSettings } from '../src/engine/eigenbasis-rotation.runner';
import { GradientEngine, defaultEngineSettings } from '../src/engine/gradient.engine';
import { projectQuery } from '../src/influence/document-projection.pipeline';
import { fitFactorDirectory } from '../src/influence/factor-directory.fitter';
import { layerPreconditioners } from '../src/influence/factor-set';
import { readFactorSet } from '../src/influence/factor-set.store';
import { eigenbasisProjectionSpace, uniformRanks } from '../src/influence/projection-space';
import {
  computeQueryGradients,
  denseQuery,
  preconditionLayerBatch,
  PreconditionedQueryGradient,
  queryRankFor,
  tokenizeQuery,
} from '../src/influence/query-gradient.pipeline';
import { DEFAULT_DAMPING } from '../src/math/damping';
import { PreconditionedQuery } from '../src/math/influence-score';
import { createSketchLayout, proportionalSketchRanks, sketchVector } from '../src/math/projection-sketch';
import { loadModelDirectory } from '../src/model/model-directory.loader';
import { QueryVectorRepository } from '../src/repositories/query-vector.repository';
import { toVectorLiteral } from '../src/repositories/vector-sql';
import { ModelAnswerService } from '../src/services/model-answer.service';
import { serializeQueryFactors } from '../src/services/query-gradient.service';
import { generateWorld } from '../src/world/world.generator';
import { flag, intFlag } from './bench-flags';

const ROOT = path.resolve(__dirname, '..');
const threads = intFlag('threads', cpus().length);
const chunk = intFlag('chunk', 20);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => Number(process.hrtime.bigint()) / 1e9;
async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = now();
  const v = await fn();
  return [v, now() - t0];
}

function maxRelDiff(a: PreconditionedQuery, b: PreconditionedQuery): number {
  const x = denseQuery(a).data;
  const y = denseQuery(b).data;
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num = Math.max(num, Math.abs(x[i]! - y[i]!));
    den = Math.max(den, Math.abs(y[i]!));
  }
  return num / den;
}

async function main(): Promise<void> {
  const modelDir = path.join(ROOT, 'models/reference');
  const model = loadModelDirectory(modelDir);
  const world = generateWorld(1, 'demo');
  let factorDir = flag('factors');
  if (!factorDir) {
    const fitDocs = intFlag('fit-docs', 100);
    const work = mkdtempSync(path.join(tmpdir(), 'tb-bench-queries-'));
    const corpusFile = path.join(work, 'corpus.jsonl');
    writeFileSync(corpusFile, world.documents.map((d) => JSON.stringify(d)).join('\n'));
    factorDir = path.join(work, 'factors');
    process.stderr.write(`fitting EK-FAC factors on ${fitDocs} documents of the demo world…\n`);
    await fitFactorDirectory({
      modelDir,
      corpusFile,
      outDir: factorDir,
      strategy: 'ekfac',
      fisher: 'sampled',
      maxDocs: fitDocs,
      seed: 0,
      batchWindows: 8,
      overwrite: false,
      device: 'cpu',
      threads,
    });
  }
  const { factors } = readFactorSet(factorDir);
  const pre = layerPreconditioners(factors, DEFAULT_DAMPING);
  const engine = new GradientEngine(model, defaultEngineSettings({ intraOpThreads: threads }));
  const rotation = new EigenbasisRotationRunner(
    defaultRotationSettings({ intraOpThreads: intFlag('rotation-threads', defaultRotationSettings().intraOpThreads) }),
  );
  const answers = new ModelAnswerService();
  const space = eigenbasisProjectionSpace(factors, uniformRanks(factors.layers, 16, 16));
  const sketch = createSketchLayout(space.layout, proportionalSketchRanks(space.layout, Math.min(512, space.layout.dims)));

  const dbDir = mkdtempSync(path.join(tmpdir(), 'tb-bench-queries-db-'));
  const db = await openPgliteDatabase(dbDir);
  await applyMigrations(db.sql);
  const m = await db.prisma.model.create({
    data: { name: 'reference', hash: model.hash, path: modelDir, config: {}, trackedLayers: factors.layers.map((l) => l.name), parameterCount: 1n },
  });
  const factorSetId = (await db.prisma.factorSet.create({ data: { modelId: m.id, name: 'bench', strategy: 'EKFAC' } })).id;
  const spaceId = (
    await db.prisma.projectionSpace.create({
      data: { modelId: m.id, factorSetId, name: 'bench', kind: 'EIGENBASIS', seed: 0, layerRanks: [], fullDims: space.layout.dims, sketchDims: sketch.dims },
    })
  ).id;
  const worldQueries = world.queries.slice(0, intFlag('queries', world.queries.length));
  const records = [];
  for (const q of worldQueries) {
    const row = await db.prisma.query.create({ data: { modelId: m.id, prompt: q.prompt, completion: q.completion, answerKeywords: [...q.answerKeywords] } });
    records.push({ ...row, kind: 'OTHER' as const });
  }
  const vectors = new QueryVectorRepository(db.sql);
  /** The statement before the base64 change: the factor bytes as a bytea parameter. */
  const saveWithByteaParameter = (s: Parameters<QueryVectorRepository['save']>[0]) =>
    db.sql.transaction(async (tx) => {
      const [row] = await tx.query<{ id: number }>(
        `INSERT INTO query_gradients (query_id, factor_set_id, nats, token_count, rank, factors, layout) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
         ON CONFLICT (query_id, factor_set_id) DO UPDATE SET nats = EXCLUDED.nats, token_count = EXCLUDED.token_count, rank = EXCLUDED.rank, factors = EXCLUDED.factors, layout = EXCLUDED.layout, created_at = now()
         RETURNING id`,
        [s.queryId, s.factorSetId, s.nats, s.tokenCount, s.rank, s.factors, JSON.stringify(s.layout)],
      );
      for (const p of s.projections) {
        await tx.query(
          `INSERT INTO query_projections (query_gradient_id, space_id, sketch, "full") VALUES ($1, $2, $3::halfvec, $4::vector)
           ON CONFLICT (query_gradient_id, space_id) DO UPDATE SET sketch = EXCLUDED.sketch, "full" = EXCLUDED."full", created_at = now()`,
          [Number(row!.id), p.spaceId, toVectorLiteral(p.sketch, 'halfvec', 'sketch'), toVectorLiteral(p.full, 'vector', 'full')],
        );
      }
    });

  const phases = ['engine', 'precondition JS', 'precondition ORT', 'project', 'save bytea', 'save base64', 'answers'] as const;
  const perQuery: Record<(typeof phases)[number], number[]> = Object.fromEntries(phases.map((p) => [p, []])) as never;
  let worst = 0;
  console.log(
    `query step on ${worldQueries.length} demo-world queries in chunks of ${chunk}, ${threads} engine threads, ${rotation.settings.intraOpThreads} rotation threads, load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (let c = 0, k = 0; c < records.length; c += chunk, k++) {
    const recs = records.slice(c, c + chunk);
    const n = recs.length;
    const tokenized = recs.map((q) =>
      tokenizeQuery(model.tokenizer, { id: String(q.id), prompt: q.prompt, completion: q.completion }, model.dimensions.contextLength),
    );
    const [raw, tEngine] = await timed(() => computeQueryGradients(engine, tokenized, factors.layers));
    const precondition = async (runner: EigenbasisRotationRunner | null): Promise<PreconditionedQuery[][]> => {
      const out: PreconditionedQuery[][] = raw.map(() => []);
      for (let li = 0; li < factors.layers.length; li++) {
        const l = factors.layers[li]!;
        const batch = await preconditionLayerBatch(
          pre[li]!,
          raw.map((q) => q.gradients[li]!),
          queryRankFor('auto', l.rows, l.cols),
          runner,
        );
        batch.forEach((x, qi) => (out[qi]![li] = x));
      }
      return out;
    };
    const order = k % 2 === 0 ? ([null, rotation] as const) : ([rotation, null] as const);
    const results = new Map<EigenbasisRotationRunner | null, [PreconditionedQuery[][], number]>();
    for (const runner of order) results.set(runner, await timed(() => precondition(runner)));
    const [js, tJs] = results.get(null)!;
    const [ort, tOrt] = results.get(rotation)!;
    js.forEach((ms, qi) => ms.forEach((mq, li) => (worst = Math.max(worst, maxRelDiff(ort[qi]![li]!, mq)))));
    const queries: PreconditionedQueryGradient[] = raw.map((q, qi) => ({ ...q, layers: factors.layers.map((l) => l.name), m: ort[qi]! }));
    const [rows, tProject] = await timed(() =>
      queries.map((q) => {
        const y = projectQuery(space, q);
        const stored = serializeQueryFactors(q.layers, q.m);
        const full = Float32Array.from(y);
        const sk = Float32Array.from(sketchVector(space.layout, sketch, y, space.kind));
        return {
          queryId: Number(q.id),
          factorSetId,
          damping: 'relative:0.1',
          nats: q.nats,
          tokenCount: q.tokens,
          rank: stored.rank,
          factors: stored.bytes,
          layout: stored.layout,
          projections: [{ spaceId, full, sketch: sk }],
        };
      }),
    );
    let tBytea = 0;
    let tBase64 = 0;
    for (const [i, row] of rows.entries()) {
      const pair = i % 2 === 0 ? ['bytea', 'base64'] : ['base64', 'bytea'];
      for (const how of pair) {
        const [, t] = await timed<unknown>(() => (how === 'bytea' ? saveWithByteaParameter(row) : vectors.save(row)));
        if (how === 'bytea') tBytea += t;
        else tBase64 += t;
      }
    }
    const [, tAnswers] = await timed(() => answers.answer(model, recs));
    const times = {
      engine: tEngine,
      'precondition JS': tJs,
      'precondition ORT': tOrt,
      project: tProject,
      'save bytea': tBytea,
      'save base64': tBase64,
      answers: tAnswers,
    };
    process.stderr.write(`  chunk ${k + 1}: ${phases.map((p) => `${p} ${((1000 * times[p]) / n).toFixed(0)}`).join(', ')} ms/query\n`);
    if (k > 0 || records.length <= chunk) for (const p of phases) perQuery[p].push((1000 * times[p]) / n);
  }
  await db.close();
  rmSync(dbDir, { recursive: true, force: true });

  const med = Object.fromEntries(phases.map((p) => [p, median(perQuery[p])])) as Record<(typeof phases)[number], number>;
  console.log('median ms per query (chunks after the first):');
  for (const p of phases) console.log(`  ${p.padEnd(18)} ${med[p].toFixed(1).padStart(8)}`);
  const common = med.engine + med.project + med.answers;
  const before = common + med['precondition JS'] + med['save bytea'];
  const after = common + med['precondition ORT'] + med['save base64'];
  console.log(
    `precondition: JS ${med['precondition JS'].toFixed(1)} → ORT ${med['precondition ORT'].toFixed(1)} ms/query (${(med['precondition JS'] / med['precondition ORT']).toFixed(1)}×)`,
  );
  console.log(
    `save:         bytea ${med['save bytea'].toFixed(1)} → base64 ${med['save base64'].toFixed(1)} ms/query (${(med['save bytea'] / med['save base64']).toFixed(1)}×)`,
  );
  console.log(
    `step:         before ${before.toFixed(0)} → after ${after.toFixed(0)} ms/query (${(before / after).toFixed(2)}×); for 120 queries ${((120 * before) / 1000).toFixed(0)} s → ${((120 * after) / 1000).toFixed(0)} s`,
  );
  console.log(`max relative difference of U Σ Vᵀ, ORT vs JS reference: ${worst.toExponential(1)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
