/**
 * Influence-pipeline benchmark (a script, not a test): `npm run bench:influence`.
 * Model of the reference size (byte-level GPT-2, d=256, 6 layers, 8 heads, context 256,
 * ≈4.8 M parameters, random weights), documents of 256 tokens, 8 per engine batch, the 12 MLP
 * layers tracked. Reports documents/s (median of timed runs after a warm-up) for:
 * - factor fitting pass 1 (A, S covariance sums, sampled labels),
 * - factor fitting pass 2 (EK-FAC eigenvalue-correction sums, sampled labels; Q = I stands in
 *   for the eigenbases, which costs the same),
 * - projection of documents (Gaussian, 32×32 per layer: 12 288 dims),
 * - exact scoring of Q = 1, 10, 80 queries at once (rank-32 queries, the `auto` rank for
 *   these 1024×1025 / 256×1025 layers; dense M of 80 queries would need 4 GB),
 * - whole-corpus exact scoring (the influence-totals head: per-document totals, no token
 *   scores) of Q = 100 and 120 queries in one pass,
 * each with the ratio to the engine's plain forward+backward rate (all-parameter gradients,
 * data labels) timed alternately with it in the same run (median of per-pair ratios; the
 * machine is shared and its load drifts). Env: BENCH_THREADS (default all cores),
 * BENCH_RUNS (default 3), BENCH_EIGEN=1 also times one 1025×1025 eigendecomposition,
 * BENCH_CORPUS_ONLY=1 times only the projection and the whole-corpus passes.
 * `corpusPass` compares the whole-corpus pass of 100 queries with one ingestion pass (the
 * projection above) timed alternately (median of per-pair ratios; target ≤ 1.5), and
 * extrapolates 120 queries over the demo's 2 500 documents at this 256-token length.
 */
import { cpus, loadavg } from 'node:os';
import { Gpt2Config, gpt2Family } from '../src/model-families/gpt2';

import { GradientEngine, defaultEngineSettings } from '../src/engine/gradient.engine';
import { Mulberry32 } from '../src/math/seeded-random';
import { packWindows } from '../src/engine/sequence-windows';
import { identity, matrix } from '../src/math/dense-matrix';
import { EkfacEigenvalueAccumulator } from '../src/math/ekfac-eigenvalue.accumulator';
import { symmetricEigen } from '../src/math/symmetric-eigen';
import { projectDocuments } from '../src/influence/document-projection.pipeline';
import { exactInfluence } from '../src/influence/exact-influence.pipeline';
import { exactInfluenceTotals, prepareTotalsQueries, TotalsQueries } from '../src/influence/corpus-influence.pipeline';
import { covariancePass, eigenvalueCorrectionPass, FitContext } from '../src/influence/factor-fit.pipeline';
import { trackedLayers } from '../src/influence/layer-tensors.adapter';
import { gaussianProjectionSpace, uniformRanks } from '../src/influence/projection-space';
import { PreconditionedQueryGradient } from '../src/influence/query-gradient.pipeline';
import { TokenizedSequence } from '../src/influence/tokenized-sequence';
import { randomWeights } from '../test/support/gpt2-checkpoint';

const threads = Number(process.env.BENCH_THREADS ?? cpus().length);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const B = 8;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const config: Gpt2Config = { nEmbd: 256, nLayer: 6, nHead: 8, nPositions: 256, vocabSize: 256, nInner: 1024, layerNormEpsilon: 1e-5, activation: 'gelu_new' };
  const T = config.nPositions;
  const engine = new GradientEngine(
    { family: gpt2Family, config, weights: { tensors: randomWeights(config, 1, 0.02), fileNames: new Map() }, hash: 'bench-influence' },
    defaultEngineSettings({ intraOpThreads: threads }),
  );
  const rng = new Mulberry32(2);
  const docs: TokenizedSequence[] = Array.from({ length: B }, (_, k) => ({
    id: `d${k}`,
    scoreFrom: 0,
    tokens: Array.from({ length: T }, () => Math.floor(rng.next() * 256)),
  }));
  const layers = trackedLayers({ family: gpt2Family, config }, gpt2Family.defaultTrackedLayers(config));
  const ctx: FitContext = { engine, layers, fisher: 'sampled', seed: 1, batchWindows: B };
  const baselineBatch = packWindows(
    docs.map((d, k) => ({ sequence: k, start: 0, tokens: [...d.tokens], lossMask: d.tokens.map((_, j) => (j + 1 < T ? 1 : 0)) })),
    T,
  );
  const baseline = () => engine.run({ labels: 'data', allGradients: true }, baselineBatch);

  const bases = layers.map((l) => ({ qS: identity(l.rows), qA: identity(l.cols) }));
  const space = gaussianProjectionSpace(layers, uniformRanks(layers, 32, 32), 7);
  const query = (k: number): PreconditionedQueryGradient => ({
    id: `q${k}`,
    nats: 10,
    tokens: 20,
    layers: layers.map((l) => l.name),
    gradients: [],
    m: layers.map((l) => {
      const r = 32;
      const u = matrix(
        l.rows,
        r,
        Float64Array.from({ length: l.rows * r }, () => rng.normal()),
      );
      const v = matrix(
        l.cols,
        r,
        Float64Array.from({ length: l.cols * r }, () => rng.normal()),
      );
      return { u, v, sigma: Float64Array.from({ length: r }, (_, i) => 1 / (i + 1)) };
    }),
  });
  const queries = Array.from({ length: 120 }, (_, k) => query(k));
  const score = async (q: number) => {
    for await (const _ of exactInfluence(engine, queries.slice(0, q), docs, { batchWindows: B })) void _;
  };

  // the pass's head inputs are built once per pass (timed apart: a pass of 2 500 documents pays it once)
  const prepared = new Map<number, TotalsQueries>();
  const prepareSeconds: Record<string, number> = {};
  for (const q of [100, 120])
    prepareSeconds[`Q${q}`] = Math.round((await seconds(async () => prepared.set(q, prepareTotalsQueries(engine, queries.slice(0, q))))) * 100) / 100;
  const totals = async (q: number) => {
    for await (const _ of exactInfluenceTotals(engine, prepared.get(q)!, docs, { batchWindows: B })) void _;
  };
  const project = () => projectDocuments(engine, space, docs, { batchWindows: B });

  const measured: Array<{ label: string; fn: () => Promise<unknown> }> = [
    { label: 'fit pass 1: covariance sums A, S (sampled labels)', fn: () => covariancePass(ctx, docs) },
    {
      label: 'fit pass 2: EK-FAC eigenvalue-correction sums (sampled labels)',
      fn: () =>
        eigenvalueCorrectionPass(
          ctx,
          docs,
          bases,
          layers.map((l, li) => new EkfacEigenvalueAccumulator(bases[li]!.qS, bases[li]!.qA, l.name)),
        ),
    },
    { label: `projection, Gaussian 32x32 per layer (${space.layout.dims} dims)`, fn: () => projectDocuments(engine, space, docs, { batchWindows: B }) },
    { label: 'exact scoring, Q = 1 (rank-32 queries)', fn: () => score(1) },
    { label: 'exact scoring, Q = 10', fn: () => score(10) },
    { label: 'exact scoring, Q = 80', fn: () => score(80) },
    { label: 'whole-corpus exact pass, Q = 100 (influence-totals head)', fn: () => totals(100) },
    { label: 'whole-corpus exact pass, Q = 120 (influence-totals head)', fn: () => totals(120) },
  ];
  await baseline();
  const baseTimes: number[] = [];
  const results = [];
  for (const m of process.env.BENCH_CORPUS_ONLY === '1'
    ? measured.filter((x) => x.label.startsWith('projection') || x.label.startsWith('whole-corpus'))
    : measured) {
    await m.fn(); // warm-up: compiles the graph
    const ts: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      const tb = await seconds(baseline);
      const tm = await seconds(m.fn);
      baseTimes.push(tb);
      ts.push(tm);
      ratios.push(tb / tm);
    }
    const t = median(ts);
    results.push({
      label: m.label,
      secondsPerBatch: Math.round(t * 1000) / 1000,
      documentsPerSecond: Math.round((B / t) * 100) / 100,
      ratioToForwardBackward: Math.round(median(ratios) * 100) / 100,
    });
    process.stderr.write(`${m.label}: ${(B / t).toFixed(2)} docs/s\n`);
  }
  // the corpus pass against one ingestion pass (projection), alternated in one run
  const pairs: number[] = [];
  const pass120: number[] = [];
  for (let i = 0; i < runs; i++) {
    const tp = await seconds(project);
    const t100 = await seconds(() => totals(100));
    pass120.push(await seconds(() => totals(120)));
    pairs.push(t100 / tp);
  }
  const demoDocs = 2500;
  const corpusPass = {
    queries100OverIngestion: Math.round(median(pairs) * 100) / 100,
    target: 1.5,
    demo120QueriesOver2500DocumentsSeconds: Math.round((median(pass120) / B) * demoDocs),
    demoTargetSeconds: 120,
    passPreparationSeconds: prepareSeconds,
  };
  process.stderr.write(`corpus pass: 100 queries = ${corpusPass.queries100OverIngestion}x ingestion\n`);
  let eigen: number | undefined;
  if (process.env.BENCH_EIGEN === '1') {
    const n = 1025;
    const x = matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) x.data[i * n + j] = x.data[j * n + i] = (i === j ? n : 0) + rng.normal();
    eigen = await seconds(async () => symmetricEigen(x));
  }
  const tb = median(baseTimes);
  process.stdout.write(
    `${JSON.stringify(
      {
        model: { ...config, tracked: layers.length },
        documents: `${B} per batch x ${T} tokens`,
        threads,
        runs,
        loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
        forwardBackward: {
          label: 'fwd+bwd, all-parameter gradients (data labels)',
          secondsPerBatch: Math.round(tb * 1000) / 1000,
          documentsPerSecond: Math.round((B / tb) * 100) / 100,
        },
        results,
        corpusPass,
        ...(eigen !== undefined ? { eigendecomposition1025Seconds: Math.round(eigen * 100) / 100 } : {}),
      },
      null,
      2,
    )}\n`,
  );
}

void main();
