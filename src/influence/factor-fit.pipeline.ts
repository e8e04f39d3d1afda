import { Gpt2GradientEngine, gumbelNoise } from '../engine/gpt2-gradient.engine';
import { HeadSpec } from '../engine/gradient-head.spec';
import { HostTensor } from '../onnx/ort.runner';
import { scoreAllPositions, sumBySequence } from '../engine/sequence-windows';
import { DampingSpec, DEFAULT_DAMPING } from '../math/damping';
import { Matrix, matrix } from '../math/dense-matrix';
import { CurvatureStrategy } from '../math/ekfac-preconditioner';
import { EkfacEigenvalueAccumulator } from '../math/ekfac-eigenvalue.accumulator';
import { DiagonalFisherAccumulator } from '../math/diagonal-fisher.accumulator';
import { assertFinite } from '../math/finite.guard';
import { covarianceFromSum } from '../math/kronecker-covariance';
import { symmetricEigen } from '../math/symmetric-eigen';
import { InvalidInputError } from '../errors/tracebase.error';
import { FactorSet, FisherKind, LayerFactors, layerPreconditioners } from './factor-set';
import { TrackedLayer, batchNoiseSeed, hostIdentity, hostMatrix, outputMatrix, trackedLayers } from './layer-tensors.adapter';
import { SequenceBatch, sequenceBatches } from './sequence-batches';
import { TokenizedSequence } from './tokenized-sequence';

/** Arguments of a factor fit (recorded in the factor set's provenance). */
export interface FactorFitOptions {
  readonly strategy: CurvatureStrategy;
  /** Default `sampled` (labels drawn from the model by Gumbel-max: the true Fisher). */
  readonly fisher?: FisherKind;
  /** Default 0.1 × mean eigenvalue per layer. */
  readonly damping?: DampingSpec;
  /** Seed of the sampled labels. */
  readonly seed?: number;
  /** Tracked layers (default: both MLP layers of every block). */
  readonly tracked: readonly string[];
  /** Windows per engine batch (default 8). */
  readonly batchWindows?: number;
  /** Called after each batch of each pass. */
  readonly onProgress?: (p: { pass: 'covariance' | 'eigenvalues' | 'diagonal'; sequences: number; total: number }) => void;
}

/** Pass numbers mixed into the Gumbel-noise seeds. */
const PASS = { covariance: 0, eigenvalues: 1, diagonal: 2 } as const;

interface PassContext {
  engine: Gpt2GradientEngine;
  layers: TrackedLayer[];
  fisher: FisherKind;
  seed: number;
}

/** Runs `head` on a batch with the labels of the fit (sampled: every real position scored, seeded noise). */
async function runFitting(ctx: PassContext, head: Omit<HeadSpec, 'labels'>, b: SequenceBatch, pass: number, index: number, extra: Record<string, HostTensor>) {
  const { engine } = ctx;
  const dtype = engine.settings.dtype;
  if (ctx.fisher === 'empirical') return engine.run({ ...head, labels: 'data' }, b.batch, extra);
  const noise = gumbelNoise(batchNoiseSeed(ctx.seed, pass, index), b.batch.batch, b.batch.seqLen, engine.model.config.vocabSize, dtype);
  return engine.run({ ...head, labels: 'sampled' }, scoreAllPositions(b.batch), { ...extra, gumbel_noise: noise });
}

/**
 * Per-sequence rotated gradients Q_Pᵀ… of a batch: runs the projection head with P, R given per
 * layer and sums the windows of each sequence; calls `use(layer, sequenceIndex, block)`.
 * With P = I, R = I the block is the sequence's gradient G_ℓ (o×(i+1)); with P = Q_Sᵀ,
 * R = Q_Aᵀ it is Q_Sᵀ G_ℓ Q_A.
 */
async function perSequenceBlocks(
  ctx: PassContext,
  b: SequenceBatch,
  pass: number,
  index: number,
  inputs: (l: TrackedLayer) => { p: HostTensor; r: HostTensor },
  use: (l: number, block: Matrix) => void,
): Promise<void> {
  const ranks: Record<string, [number, number]> = {};
  const extra: Record<string, HostTensor> = {};
  for (const l of ctx.layers) {
    const { p, r } = inputs(l);
    ranks[l.name] = [p.dims[0]!, r.dims[0]!];
    extra[`P.${l.name}`] = p;
    extra[`R.${l.name}`] = r;
  }
  const out = await runFitting(ctx, { tracked: ctx.layers.map((l) => l.name), projection: { ranks } }, b, pass, index, extra);
  ctx.layers.forEach((l, li) => {
    const [ro, ri] = ranks[l.name]!;
    const data = out[`proj.${l.name}`]!.data as ArrayLike<number>;
    const real = realRows(data, b, ro * ri);
    for (const [, sum] of sumBySequence(real, b.windows)) use(li, matrix(ro, ri, sum));
  });
}

/** The rows of a `[B, …]` output that hold real windows (padding rows come last). */
function realRows(data: ArrayLike<number>, b: SequenceBatch, per: number): ArrayLike<number> {
  const n = b.windows.length * per;
  return data instanceof Float64Array || data instanceof Float32Array ? data.subarray(0, n) : Array.from({ length: n }, (_, k) => data[k]!);
}

/**
 * Fits curvature factors on `sequences` (DESIGN.md §3, Grosse et al. 2023):
 * - pass 1 (kfac, ekfac): `A_ℓ = Σ_t ā_t ā_tᵀ / N`, `S_ℓ = Σ_t δ_t δ_tᵀ / N` over all N real tokens,
 *   δ the output gradient of each window's summed loss (labels sampled from the model by
 *   default), then float64 eigendecompositions `A = Q_A diag(λ_A) Q_Aᵀ`, `S = Q_S diag(λ_S) Q_Sᵀ`;
 * - pass 2 (ekfac): `Λ_ℓ[j,k] = mean_z (Q_Sᵀ G_ℓ(z) Q_A)[j,k]²` over sequences z (fresh
 *   sampled labels), G_ℓ(z) the sum over z's windows;
 * - diagonal: `diag F_ℓ = mean_z G_ℓ(z)∘²`; identity: no pass.
 * Damping is recorded as a spec and resolved per layer when preconditioning (default
 * 0.1 × mean eigenvalue). NaN/Inf in any sum raises `NonFiniteValueError` naming layer and tensor.
 *
 * @param sequences tokenized documents (all tokens scored); iterated once per pass.
 */
export async function fitFactors(engine: Gpt2GradientEngine, sequences: readonly TokenizedSequence[], options: FactorFitOptions): Promise<FactorSet> {
  if (sequences.length === 0) throw new InvalidInputError('factor fitting needs at least one document');
  const config = engine.model.config;
  const layers = trackedLayers(config, options.tracked);
  const fisher = options.fisher ?? 'sampled';
  const damping = options.damping ?? DEFAULT_DAMPING;
  const seed = options.seed ?? 0;
  const ctx: PassContext = { engine, layers, fisher, seed };
  const batching = { context: config.nPositions, batchWindows: options.batchWindows };
  const dtype = engine.settings.dtype;
  const total = sequences.length;
  let windows = 0;
  let tokens = 0;
  for (const b of sequenceBatches(sequences, batching)) {
    windows += b.windows.length;
    tokens += b.windows.reduce((s, w) => s + w.tokens.length, 0);
  }
  const counts = { sequences: total, windows, tokens };
  const strategy = options.strategy;

  if (strategy === 'identity') {
    return { strategy, fisher, damping, counts, layers: layers.map((l) => ({ name: l.name, rows: l.rows, cols: l.cols })) };
  }

  if (strategy === 'diagonal') {
    const acc = layers.map((l) => new DiagonalFisherAccumulator(l.rows, l.cols, l.name));
    let done = 0;
    let index = 0;
    for (const b of sequenceBatches(sequences, batching)) {
      await perSequenceBlocks(ctx, b, PASS.diagonal, index++, (l) => ({ p: hostIdentity(l.rows, dtype), r: hostIdentity(l.cols, dtype) }), (li, g) => acc[li]!.add(g));
      done += b.sequences.length;
      options.onProgress?.({ pass: 'diagonal', sequences: done, total });
    }
    const fs: FactorSet = { strategy, fisher, damping, counts, layers: layers.map((l, li) => ({ name: l.name, rows: l.rows, cols: l.cols, fisherDiagonal: acc[li]!.finalize() })) };
    layerPreconditioners(fs); // resolves damping now: a zero Fisher fails at fit time, naming the layer
    return fs;
  }

  // pass 1: covariances
  const sumA = layers.map((l) => matrix(l.cols, l.cols));
  const sumS = layers.map((l) => matrix(l.rows, l.rows));
  let done = 0;
  let index = 0;
  for (const b of sequenceBatches(sequences, batching)) {
    const out = await runFitting(ctx, { tracked: layers.map((l) => l.name), covariance: true }, b, PASS.covariance, index++, {});
    layers.forEach((l, li) => {
      const a = out[`A.${l.name}`]!.data as ArrayLike<number>;
      const s = out[`S.${l.name}`]!.data as ArrayLike<number>;
      assertFinite(a, { layer: l.name, tensor: 'A (covariance sum)' });
      assertFinite(s, { layer: l.name, tensor: 'S (covariance sum)' });
      for (let k = 0; k < sumA[li]!.data.length; k++) sumA[li]!.data[k]! += a[k]!;
      for (let k = 0; k < sumS[li]!.data.length; k++) sumS[li]!.data[k]! += s[k]!;
    });
    done += b.sequences.length;
    options.onProgress?.({ pass: 'covariance', sequences: done, total });
  }
  const fitted = layers.map((l, li) => {
    const covA = covarianceFromSum(sumA[li]!, tokens, { layer: l.name, tensor: 'A' });
    const covS = covarianceFromSum(sumS[li]!, tokens, { layer: l.name, tensor: 'S' });
    const eigA = symmetricEigen(covA, { label: { layer: l.name, tensor: 'A' } });
    const eigS = symmetricEigen(covS, { label: { layer: l.name, tensor: 'S' } });
    return {
      name: l.name,
      rows: l.rows,
      cols: l.cols,
      covA,
      covS,
      qA: eigA.vectors,
      qS: eigS.vectors,
      lambdaA: matrix(1, l.cols, eigA.values),
      lambdaS: matrix(1, l.rows, eigS.values),
    } satisfies LayerFactors;
  });
  if (strategy === 'kfac') {
    const fs: FactorSet = { strategy, fisher, damping, counts, layers: fitted };
    layerPreconditioners(fs);
    return fs;
  }

  // pass 2: EK-FAC eigenvalue correction
  const acc = fitted.map((f) => new EkfacEigenvalueAccumulator(f.qS, f.qA, f.name));
  const qsIn = fitted.map((f) => hostMatrix(f.qS, dtype));
  const qaIn = fitted.map((f) => hostMatrix(f.qA, dtype));
  const qsT = fitted.map((f) => hostMatrix(f.qS, dtype, true));
  const qaT = fitted.map((f) => hostMatrix(f.qA, dtype, true));
  done = 0;
  index = 0;
  for (const b of sequenceBatches(sequences, batching)) {
    const batchIndex = index++;
    if (b.windows.length === b.sequences.length) {
      // one window per sequence: the engine's head squares and sums the rotated gradients
      const extra: Record<string, HostTensor> = {};
      layers.forEach((l, li) => {
        extra[`QS.${l.name}`] = qsIn[li]!;
        extra[`QA.${l.name}`] = qaIn[li]!;
      });
      const out = await runFitting(ctx, { tracked: layers.map((l) => l.name), eigenCorrection: true }, b, PASS.eigenvalues, batchIndex, extra);
      layers.forEach((l, li) => acc[li]!.addSums(outputMatrix(out[`Lambda.${l.name}`]!.data as ArrayLike<number>, l.rows, l.cols), b.sequences.length));
    } else {
      // multi-window documents: rotate each window (P = Q_Sᵀ, R = Q_Aᵀ), sum per document, square here
      const byName = new Map(layers.map((l, li) => [l.name, li]));
      await perSequenceBlocks(
        ctx,
        b,
        PASS.eigenvalues,
        batchIndex,
        (l) => ({ p: qsT[byName.get(l.name)!]!, r: qaT[byName.get(l.name)!]! }),
        (li, rot) => {
          const sq = matrix(rot.rows, rot.cols);
          for (let k = 0; k < sq.data.length; k++) sq.data[k] = rot.data[k]! * rot.data[k]!;
          acc[li]!.addSums(sq, 1);
        },
      );
    }
    done += b.sequences.length;
    options.onProgress?.({ pass: 'eigenvalues', sequences: done, total });
  }
  const fs: FactorSet = { strategy, fisher, damping, counts, layers: fitted.map((f, li) => ({ ...f, eigenvalues: acc[li]!.finalize() })) };
  layerPreconditioners(fs);
  return fs;
}

