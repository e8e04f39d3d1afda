/**
 * Gradient-engine benchmark (a script, not a test): `npm run bench:gradients`.
 * Model of the reference size (byte-level GPT-2, d=256, 6 layers, 8 heads, context 256,
 * ≈4.8 M parameters), a batch of 8 × 256 tokens; reports medians of timed runs after warm-up:
 * tokens/s forward+backward, achieved GFLOP/s = (6·N·tokens + 12·L·T²·d·B) / t with N the
 * parameters used in matmuls (all but wpe; the tied LM head counts wte once), onnxruntime's raw
 * MatMul GFLOP/s on a large square product (2n³ / t) in the same process and threads, timed
 * alternately with the model runs, and the median of the per-pair ratios.
 * Env: BENCH_THREADS (default: all cores), BENCH_RUNS (default 7), BENCH_BATCH (default 8).
 */
import { cpus, loadavg } from 'node:os';
import { Gpt2Config, gpt2Family, gpt2ParameterCount } from '../src/model-families/gpt2';

import { GradientEngine, defaultEngineSettings } from '../src/engine/gradient.engine';
import { HeadSpec } from '../src/engine/gradient-head.definition';
import { Mulberry32 } from '../src/math/seeded-random';
import { packWindows } from '../src/engine/sequence-windows';
import { GraphBuilder } from '../src/onnx/graph.builder';
import { serializeModel } from '../src/onnx/onnx.serializer';
import { HostTensor, createSession, runSession } from '../src/onnx/ort.runner';
import { randomWeights } from '../test/support/gpt2-checkpoint';

const threads = Number(process.env.BENCH_THREADS ?? cpus().length);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const B = Number(process.env.BENCH_BATCH ?? 8);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>, n: number): Promise<number> {
  await fn(); // warm-up (compiles the session)
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(ts);
}

/** A session running one n×n float32 MatMul, and its feeds. */
async function rawMatmul(n: number): Promise<() => Promise<unknown>> {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [n, n]);
  const y = b.input('y', 'float32', [n, n]);
  b.output(b.matmul(x, y), 'z');
  const s = await createSession(serializeModel(b), { device: 'cpu', intraOpThreads: threads, interOpThreads: 1 });
  const rng = new Mulberry32(1);
  const data = Float32Array.from({ length: n * n }, () => rng.normal());
  const feeds: Record<string, HostTensor> = { x: { dtype: 'float32', dims: [n, n], data }, y: { dtype: 'float32', dims: [n, n], data } };
  return () => runSession(s, feeds);
}

/**
 * Times `fn` and the raw MatMul alternately (the machine is shared, so load drifts): returns the
 * median seconds of `fn`, the median raw GFLOP/s, and the median of the per-pair ratios.
 */
async function timeAgainstMatmul(
  fn: () => Promise<unknown>,
  flops: number,
  mm: () => Promise<unknown>,
  n: number,
): Promise<{ seconds: number; gflops: number; rawGflops: number; ratio: number }> {
  await fn();
  await mm();
  const ts: number[] = [];
  const raws: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = process.hrtime.bigint();
    await fn();
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    await mm();
    await mm();
    const tm = Number(process.hrtime.bigint() - t0) / 2e9;
    const raw = (2 * n ** 3) / tm / 1e9;
    ts.push(t);
    raws.push(raw);
    ratios.push(flops / t / 1e9 / raw);
  }
  return { seconds: median(ts), gflops: flops / median(ts) / 1e9, rawGflops: median(raws), ratio: median(ratios) };
}

async function main(): Promise<void> {
  const config: Gpt2Config = { nEmbd: 256, nLayer: 6, nHead: 8, nPositions: 256, vocabSize: 256, nInner: 1024, layerNormEpsilon: 1e-5, activation: 'gelu_new' };
  const T = config.nPositions;
  const params = gpt2ParameterCount(config);
  const matmulParams = params - config.nPositions * config.nEmbd;
  const weights = randomWeights(config, 1, 0.02);
  const engine = new GradientEngine(
    { family: gpt2Family, config, weights: { tensors: weights, fileNames: new Map() }, hash: 'bench' },
    defaultEngineSettings({ intraOpThreads: threads }),
  );
  const rng = new Mulberry32(2);
  const windows = Array.from({ length: B }, (_, i) => {
    const tokens = Array.from({ length: T }, () => Math.floor(rng.next() * 256));
    return { sequence: i, start: 0, tokens, lossMask: tokens.map((_, j) => (j + 1 < T ? 1 : 0)) };
  });
  const batch = packWindows(windows, T);
  const tokens = B * T;
  const flops = 6 * matmulParams * tokens + 12 * config.nLayer * T * T * config.nEmbd * B;

  const mmN = 1024;
  const mm = await rawMatmul(mmN);
  const embedded = new GradientEngine(
    { family: gpt2Family, config, weights: { tensors: weights, fileNames: new Map() }, hash: 'bench' },
    defaultEngineSettings({ intraOpThreads: threads, weights: 'graph' }),
  );
  const measure = async (label: string, head: HeadSpec, extra: Record<string, HostTensor> = {}, eng = engine) => {
    const r = await timeAgainstMatmul(() => eng.run(head, batch, extra), flops, mm, mmN);
    return { label, seconds: r.seconds, tokensPerSecond: tokens / r.seconds, gflops: r.gflops, rawMatmulGflops: r.rawGflops, ratioToRawMatmul: r.ratio };
  };
  const fwd = await time(() => engine.run({ labels: 'data' }, batch), runs);
  const all = await measure('fwd+bwd, all-parameter gradients (weights fed as inputs)', { labels: 'data', allGradients: true });
  const allEmbedded = await measure(
    'fwd+bwd, all-parameter gradients (weights embedded as initializers)',
    { labels: 'data', allGradients: true },
    {},
    embedded,
  );
  const tracked = gpt2Family.defaultTrackedLayers(config);
  const ranks: Record<string, [number, number]> = {};
  const extra: Record<string, HostTensor> = {};
  for (const l of tracked) {
    const [i, o] = l.endsWith('c_fc') ? [config.nEmbd, config.nInner] : [config.nInner, config.nEmbd];
    ranks[l] = [16, 16];
    extra[`P.${l}`] = { dtype: 'float32', dims: [16, o], data: Float32Array.from({ length: 16 * o }, () => rng.normal() / 4) };
    extra[`R.${l}`] = { dtype: 'float32', dims: [16, i + 1], data: Float32Array.from({ length: 16 * (i + 1) }, () => rng.normal() / 4) };
  }
  // the ingestion head needs δ but no weight gradients (≈ 4·N·tokens, not 6·N): tokens/s only
  const projSeconds = await time(() => engine.run({ labels: 'data', projection: { ranks } }, batch, extra), runs);
  const proj = {
    label: 'fwd+bwd, projected per-sequence gradients of the 12 MLP layers (ingestion head, r=16×16)',
    seconds: projSeconds,
    tokensPerSecond: tokens / projSeconds,
  };
  const report = {
    model: { ...config, parameters: params },
    batch: `${B} x ${T} tokens`,
    threads,
    runs,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    forwardOnly: { seconds: fwd, tokensPerSecond: tokens / fwd },
    results: [all, allEmbedded, proj],
    rawMatmul: `${mmN}x${mmN} float32, timed alternately with each model run`,
    flopModel: '6 × (params − wpe) × tokens + 12 × n_layer × T² × d × B',
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

void main();
