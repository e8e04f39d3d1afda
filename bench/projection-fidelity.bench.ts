/**
 * Projection-fidelity experiment (a script, not a test): `npx tsx bench/projection-fidelity.bench.ts`.
 * How well ⟨y_q, x_d⟩ of projected gradients reproduces the exact EK-FAC influence I(q,d), as a
 * function of the per-layer ranks, for Gaussian, eigenbasis and whitened projections; and how rank-r
 * queries correlate with full-rank ones. Writes a JSON report to stdout.
 *
 * Setup: a world corpus (`tracebase world generate`; env FID_WORLD, default /tmp/w1) and its
 * queries; the model in FID_MODEL (a model directory, e.g. the trained reference model) or else
 * a seeded random byte-level GPT-2 (env FID_D default 32, 2 layers, context 128). EK-FAC factors fitted on
 * FID_FIT (default 500) documents with sampled labels; exact scores for FID_QUERIES (default 16)
 * queries (those of ≤ 128 bytes, spread over the file) over every document. One projection pass per kind at the largest rank: smaller
 * ranks are the leading sub-blocks (exact for every kind, see projection-sketch.ts).
 * FID_DOCS limits the documents scored (default: the whole corpus); FID_QUERY_RANKS lists the
 * low-rank query ranks (default 1,2,4,8,16; one scoring pass each); FID_RANKS the per-layer
 * projection ranks (default 2,4,8,16,32); FID_KINDS the kinds (default gaussian,eigenbasis,whitened).
 * The report also gives each layer's effective dimension d_eff = Σ Λ/(Λ+λ) of the damped EK-FAC
 * curvature and the share of it that the leading r×r eigenbasis block keeps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { GradientEngine, defaultEngineSettings } from '../src/engine/gradient.engine';
import { Gpt2Config, gpt2ConfigOf, gpt2Family } from '../src/model-families/gpt2';
import { loadModelDirectory } from '../src/model/model-directory.loader';
import { readCorpusFile } from '../src/influence/corpus-jsonl.reader';
import { projectDocuments, projectQuery } from '../src/influence/document-projection.pipeline';
import { exactInfluence } from '../src/influence/exact-influence.pipeline';
import { fitFactors } from '../src/influence/factor-fit.pipeline';
import { layerPreconditioners, resolvedDampings } from '../src/influence/factor-set';
import { eigenbasisProjectionSpace, gaussianProjectionSpace, uniformRanks, whitenedProjectionSpace } from '../src/influence/projection-space';
import { preconditionLayer, PreconditionedQueryGradient, computeQueryGradients, tokenizeQuery } from '../src/influence/query-gradient.pipeline';
import { tokenizeDocuments } from '../src/influence/tokenized-sequence';
import { Tokenizer } from '../src/influence/tokenizer.port';
import { effectiveDimension } from '../src/math/effective-dimension';
import { createProjectionLayout } from '../src/math/projection-layout';
import { sketchVector } from '../src/math/projection-sketch';
import { pearson } from '../src/math/statistics/pearson.statistic';
import { spearman } from '../src/math/statistics/spearman.statistic';
import { topK } from '../src/math/statistics/top-k.selection';
import { randomWeights } from '../test/support/gpt2-checkpoint';
import { DEFAULT_DAMPING } from '../src/math/damping';

const world = process.env.FID_WORLD ?? '/tmp/w1';
const D = Number(process.env.FID_D ?? 32);
const nFit = Number(process.env.FID_FIT ?? 500);
const nQueries = Number(process.env.FID_QUERIES ?? 16);
const threads = Number(process.env.FID_THREADS ?? 2);
const ranks = (process.env.FID_RANKS ?? '2,4,8,16,32').split(',').filter(Boolean).map(Number);
const kinds = (process.env.FID_KINDS ?? 'gaussian,eigenbasis,whitened').split(',').filter(Boolean) as ('gaussian' | 'eigenbasis' | 'whitened')[];
const queryRanks = (process.env.FID_QUERY_RANKS ?? '1,2,4,8,16').split(',').filter(Boolean).map(Number);

const bytes: Tokenizer = { encode: (t) => [...Buffer.from(t, 'utf8')], decode: (ids) => Buffer.from(ids).toString('utf8') };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function recall(exact: Float64Array, approx: Float64Array, k: number, within: number): number {
  const want = topK(exact, k).indices;
  const got = new Set(topK(approx, within).indices);
  let hit = 0;
  for (const i of want) if (got.has(i)) hit++;
  return hit / want.length;
}

async function main(): Promise<void> {
  const loaded = process.env.FID_MODEL ? loadModelDirectory(process.env.FID_MODEL) : undefined;
  const config: Gpt2Config = loaded
    ? gpt2ConfigOf(loaded)
    : { nEmbd: D, nLayer: 2, nHead: 4, nPositions: 128, vocabSize: 256, nInner: 4 * D, layerNormEpsilon: 1e-5, activation: 'gelu_new' };
  const model = loaded ?? {
    family: gpt2Family,
    config,
    weights: { tensors: randomWeights(config, 7, 0.15), fileNames: new Map<string, string>() },
    hash: `fidelity-${D}`,
  };
  const tokenizer: Tokenizer = loaded?.tokenizer ?? bytes;
  const engine = new GradientEngine(model, defaultEngineSettings({ intraOpThreads: threads }));
  const docs = tokenizeDocuments(
    tokenizer,
    await readCorpusFile(join(world, 'corpus.jsonl'), process.env.FID_DOCS ? { maxDocs: Number(process.env.FID_DOCS) } : {}),
  );
  const queries = readFileSync(join(world, 'queries.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; prompt: string; completion: string; kind: string })
    .filter((q) => tokenizer.encode(q.prompt + q.completion).length <= Math.min(128, config.nPositions))
    .filter((_, k, all) => k % Math.max(1, Math.floor(all.length / nQueries)) === 0)
    .slice(0, nQueries);
  const tracked = gpt2Family.defaultTrackedLayers(config);
  let t = Date.now();
  const factors = await fitFactors(engine, docs.slice(0, nFit), { strategy: 'ekfac', tracked, seed: 1, batchWindows: 16 });
  log(`fit ${(Date.now() - t) / 1000}s`);
  const pre = layerPreconditioners(factors, DEFAULT_DAMPING);
  // how many eigenbasis coordinates carry influence, per layer (src/math/effective-dimension.ts)
  const dampings = resolvedDampings(pre);
  const effective = factors.layers.map((l, li) => {
    const e = effectiveDimension(l.eigenvalues!, dampings[li]!, ranks);
    return {
      layer: l.name,
      coordinates: e.coordinates,
      dEff: Math.round(e.dEff),
      byRank: e.byRank.map((b) => ({ ...b, blockShare: +b.blockShare.toFixed(3), bestShare: +b.bestShare.toFixed(3) })),
    };
  });
  const raw = await computeQueryGradients(
    engine,
    queries.map((q) => tokenizeQuery(tokenizer, q, config.nPositions)),
    factors.layers,
  );
  const layersOf = factors.layers.map((l) => l.name);
  const full: PreconditionedQueryGradient[] = raw.map((q) => ({
    ...q,
    layers: layersOf,
    m: q.gradients.map((g, li) => preconditionLayer(pre[li]!, g, undefined)),
  }));
  t = Date.now();
  const exact = full.map(() => new Float64Array(docs.length));
  let di = 0;
  for await (const rows of exactInfluence(engine, full, docs, { batchWindows: 16 })) {
    rows.forEach((r, qi) => (exact[qi]![di] = r.score));
    di++;
  }
  log(`exact ${(Date.now() - t) / 1000}s`);

  // rank-r queries: exact scores through the low-rank head, vs full rank
  const lowRank: Record<string, { pearson: number; spearman: number }> = {};
  for (const r of queryRanks) {
    const low = raw.map((q) => ({
      ...q,
      layers: layersOf,
      m: q.gradients.map((g, li) => preconditionLayer(pre[li]!, g, Math.min(r, g.rows, g.cols) < Math.min(g.rows, g.cols) ? r : undefined)),
    }));
    const allLow = low.every((q) => q.m.every((m) => (m as { sigma?: unknown }).sigma !== undefined));
    if (!allLow) continue;
    const s = low.map(() => new Float64Array(docs.length));
    let k = 0;
    for await (const rows of exactInfluence(engine, low, docs, { batchWindows: 16 })) {
      rows.forEach((x, qi) => (s[qi]![k] = x.score));
      k++;
    }
    lowRank[`r=${r}`] = { pearson: mean(s.map((x, qi) => pearson(x, exact[qi]!))), spearman: mean(s.map((x, qi) => spearman(x, exact[qi]!))) };
    log(`low rank ${r}`);
  }

  const projection: Record<
    string,
    Record<string, { dims: number; spearman: number; pearson: number; recallTop100In100: number; recallTop100In1000: number }>
  > = {};
  for (const kind of kinds) {
    const maxR = Math.max(...ranks);
    const rk = uniformRanks(factors.layers, maxR, maxR);
    const space =
      kind === 'gaussian'
        ? gaussianProjectionSpace(factors.layers, rk, 1234)
        : kind === 'whitened'
          ? whitenedProjectionSpace(factors, rk, 1234)
          : eigenbasisProjectionSpace(factors, rk);
    t = Date.now();
    const xs = await projectDocuments(engine, space, docs, { batchWindows: 16 });
    log(`project ${kind} ${(Date.now() - t) / 1000}s`);
    const ys = full.map((q) => projectQuery(space, q));
    projection[kind] = {};
    for (const r of ranks) {
      const sub = createProjectionLayout(
        space.layout.layers.map((l) => ({ name: l.name, outputRank: Math.min(r, l.outputRank), inputRank: Math.min(r, l.inputRank) })),
      );
      const xsub = xs.map((x) => sketchVector(space.layout, sub, x.vector, kind));
      const sp: number[] = [];
      const pe: number[] = [];
      const r100: number[] = [];
      const r1000: number[] = [];
      ys.forEach((y, qi) => {
        const ysub = sketchVector(space.layout, sub, y, kind);
        const approx = Float64Array.from(xsub, (x) => x.reduce((s, v, i) => s + v * ysub[i]!, 0));
        sp.push(spearman(approx, exact[qi]!));
        pe.push(pearson(approx, exact[qi]!));
        r100.push(recall(exact[qi]!, approx, 100, 100));
        r1000.push(recall(exact[qi]!, approx, 100, 1000));
      });
      projection[kind]![`r=${r}`] = { dims: sub.dims, spearman: mean(sp), pearson: mean(pe), recallTop100In100: mean(r100), recallTop100In1000: mean(r1000) };
    }
  }
  process.stdout.write(
    `${JSON.stringify({ world, documents: docs.length, queries: full.length, model: { ...config, weights: loaded ? `${process.env.FID_MODEL} (${loaded.hash.slice(0, 12)})` : 'random N(0, 0.15²), seed 7 (untrained)' }, fit: { documents: nFit, strategy: 'ekfac', fisher: 'sampled' }, layers: factors.layers.map((l) => `${l.name} ${l.rows}x${l.cols}`), medianExactScoreAbs: median(exact.flatMap((e) => Array.from(e, Math.abs))), effectiveDimensions: effective, lowRankQuery: lowRank, projection }, null, 2)}\n`,
  );
}

void main();
