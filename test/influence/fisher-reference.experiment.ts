// The strategy-accuracy experiment of issue 5: on a GPT-2 small enough to form each tracked
// layer's Fisher explicitly, compare each strategy's influence with the explicit damped-Fisher
// influence Σ_ℓ g_qᵀ (F_ℓ + λ_ℓ I)⁻¹ g_d. Used by the test (one setting) and by the accuracy
// script (a sweep over the number of fitting sequences).
import { GradientEngine, defaultEngineSettings, gumbelNoise } from '../../src/engine/gradient.engine';
import { Mulberry32 } from '../../src/math/seeded-random';
import { packWindows, scoreAllPositions } from '../../src/engine/sequence-windows';
import { Gpt2Config, gpt2Family } from '../../src/model-families/gpt2';
import { CurvatureStrategy } from '../../src/math/ekfac-preconditioner';
import { Matrix } from '../../src/math/dense-matrix';
import { pearson } from '../../src/math/statistics/pearson.statistic';
import { spearman } from '../../src/math/statistics/spearman.statistic';
import { exactInfluence } from '../../src/influence/exact-influence.pipeline';
import { fitFactors } from '../../src/influence/factor-fit.pipeline';
import { preconditionQueries } from '../../src/influence/query-gradient.pipeline';
import { TokenizedSequence } from '../../src/influence/tokenized-sequence';
import { randomWeights } from '../support/gpt2-checkpoint';
import { byteTokenizer, referenceGradients } from './influence-fixtures';

/** The tiny model of the independent measurement: n_embd 8. */
export function accuracyConfig(): Gpt2Config {
  return { nEmbd: 8, nLayer: 2, nHead: 2, nPositions: 16, vocabSize: 256, nInner: 32, layerNormEpsilon: 1e-5, activation: 'gelu_new' };
}

/** Naive Cholesky solve of (F + λI) x = b for SPD F (n×n row-major, triple loops). */
export function dampedSolve(F: Float64Array, n: number, lambda: number, b: ArrayLike<number>): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = F[i * n + j]! + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j]!;
    }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

export interface StrategyAccuracy {
  strategy: CurvatureStrategy;
  /** Mean over queries of the Pearson correlation with the explicit damped-Fisher influence. */
  pearson: number;
  spearman: number;
}

/**
 * Runs the experiment: `fit` random-token fitting sequences (lengths 8–16) for the strategies,
 * `docs` documents and `queries` queries (their own random stream, so the same for every `fit`);
 * explicit per-layer Fisher F_ℓ = mean over `max(fit, referenceFit)` fitting sequences (the
 * strategies' `fit` are its first ones) of g gᵀ
 * (g = vec G_ℓ with its own sampled labels, from the engine's per-token a, δ), λ_ℓ = 0.1 ·
 * trace(F_ℓ)/P_ℓ (= 0.1 · mean Λ_ℓ, since Λ is diag F in a rotated basis).
 */
export async function strategyAccuracy(opts: {
  fit: number;
  referenceFit?: number;
  docs?: number;
  queries?: number;
  seed?: number;
  threads?: number;
}): Promise<StrategyAccuracy[]> {
  const config = accuracyConfig();
  const seed = opts.seed ?? 1;
  const engine = new GradientEngine(
    { family: gpt2Family, config, weights: { tensors: randomWeights(config, seed, 0.5), fileNames: new Map() }, hash: `acc-${seed}` },
    defaultEngineSettings({ dtype: 'float64', intraOpThreads: opts.threads ?? 1 }),
  );
  // separate streams: documents and queries do not change with the number of fitting sequences
  const seqFrom =
    (rng: Mulberry32) =>
    (id: string, lo: number, hi: number): TokenizedSequence => ({
      id,
      scoreFrom: 0,
      tokens: Array.from({ length: lo + Math.floor(rng.next() * (hi - lo + 1)) }, () => Math.floor(rng.next() * 256)),
    });
  const fitSeq = seqFrom(new Mulberry32(seed * 7919 + 1));
  const evalSeq = seqFrom(new Mulberry32(seed * 7919 + 2));
  const referenceFitting = Array.from({ length: Math.max(opts.fit, opts.referenceFit ?? opts.fit) }, (_, k) => fitSeq(`f${k}`, 8, 16));
  const fitting = referenceFitting.slice(0, opts.fit);
  const docs = Array.from({ length: opts.docs ?? 120 }, (_, k) => evalSeq(`d${k}`, 6, 16));
  const queries = Array.from({ length: opts.queries ?? 6 }, (_, k) => {
    const t = evalSeq(`q${k}`, 8, 12);
    return {
      id: t.id,
      prompt: byteTokenizer.decode(t.tokens.slice(0, 5)).replace(/\uFFFD/g, 'a'),
      completion: byteTokenizer.decode(t.tokens.slice(5)).replace(/\uFFFD/g, 'b'),
    };
  });
  const layers = ['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc', 'h.1.mlp.c_proj'];

  // explicit Fisher per layer from per-sequence sampled-label gradients G_b = Σ_t δ_t ā_tᵀ
  const sizes = layers.map((l) => (l.endsWith('c_fc') ? { o: config.nInner, i1: config.nEmbd + 1 } : { o: config.nEmbd, i1: config.nInner + 1 }));
  const F = sizes.map(({ o, i1 }) => new Float64Array((o * i1) ** 2));
  const B = 100;
  for (let s = 0; s < referenceFitting.length; s += B) {
    const part = referenceFitting.slice(s, s + B);
    const batch = scoreAllPositions(
      packWindows(
        part.map((p, k) => ({ sequence: k, start: 0, tokens: [...p.tokens], lossMask: [] as number[] })),
        16,
      ),
    );
    const out = await engine.run({ labels: 'sampled', tracked: layers, activations: true }, batch, {
      gumbel_noise: gumbelNoise(1_000_003 + s, part.length, 16, 256, 'float64'),
    });
    layers.forEach((l, li) => {
      const { o, i1 } = sizes[li]!;
      const P = o * i1;
      const a = out[`a.${l}`]!.data as Float64Array;
      const d = out[`delta.${l}`]!.data as Float64Array;
      const g = new Float64Array(P);
      part.forEach((p, b) => {
        g.fill(0);
        for (let t = 0; t < p.tokens.length; t++) {
          const r = b * 16 + t;
          for (let j = 0; j < o; j++) for (let k = 0; k < i1; k++) g[j * i1 + k]! += d[r * o + j]! * a[r * i1 + k]!;
        }
        const f = F[li]!;
        for (let x = 0; x < P; x++) {
          const gx = g[x]!;
          if (gx === 0) continue;
          for (let y = 0; y < P; y++) f[x * P + y]! += gx * g[y]!;
        }
      });
    });
  }
  const lambdas = F.map((f, li) => {
    const P = sizes[li]!.o * sizes[li]!.i1;
    for (let k = 0; k < f.length; k++) f[k]! /= referenceFitting.length;
    let tr = 0;
    for (let x = 0; x < P; x++) tr += f[x * P + x]!;
    return (0.1 * tr) / P;
  });

  // reference influence
  const ids = queries.map((q) => ({ id: q.id, tokens: byteTokenizer.encode(q.prompt + q.completion), scoreFrom: byteTokenizer.encode(q.prompt).length }));
  const gq = await Promise.all(ids.map((q) => referenceGradients(engine, q, layers)));
  const gd = await Promise.all(docs.map((d) => referenceGradients(engine, d, layers)));
  const solved = gq.map((q) => q.gradients.map((g: Matrix, li) => dampedSolve(F[li]!, g.data.length, lambdas[li]!, g.data)));
  const reference = queries.map((_, qi) =>
    docs.map((_, di) => layers.reduce((s, _l, li) => s + solved[qi]![li]!.reduce((a, v, k) => a + v * gd[di]!.gradients[li]!.data[k]!, 0), 0)),
  );

  const results: StrategyAccuracy[] = [];
  for (const strategy of ['ekfac', 'kfac', 'diagonal', 'identity'] as const) {
    const fs = await fitFactors(engine, fitting, { strategy, tracked: layers, seed, batchWindows: 100 });
    const qs = await preconditionQueries(engine, byteTokenizer, fs, queries, { rank: 'exact' });
    const scores = queries.map(() => new Float64Array(docs.length));
    let di = 0;
    for await (const rows of exactInfluence(engine, qs, docs, { batchWindows: 64 })) {
      rows.forEach((r, qi) => (scores[qi]![di] = r.score));
      di++;
    }
    const p = queries.map((_, qi) => pearson(scores[qi]!, reference[qi]!));
    const s = queries.map((_, qi) => spearman(scores[qi]!, reference[qi]!));
    results.push({ strategy, pearson: p.reduce((a, b) => a + b, 0) / p.length, spearman: s.reduce((a, b) => a + b, 0) / s.length });
  }
  return results;
}

// `node -r tsx/cjs test/influence/fisher-reference.experiment.ts FIT [DOCS QUERIES SEED REFERENCE_FIT]` prints the results as JSON.
// (The test runs it in a child process: jest's VM context runs these typed-array loops ≈ 5× slower.)
if (require.main === module) {
  const [fit, docs, queries, seed, referenceFit] = process.argv.slice(2).map(Number);
  void strategyAccuracy({
    fit: fit!,
    docs: docs || undefined,
    queries: queries || undefined,
    seed: seed || undefined,
    referenceFit: referenceFit || undefined,
  }).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
