import { GradientEngine, gumbelNoise } from '../engine/gradient.engine';
import { HeadSpec } from '../engine/gradient-head.definition';
import { HostTensor } from '../onnx/ort.runner';
import { scoreAllPositions, sumBySequence } from '../engine/sequence-windows';
import { DEFAULT_DAMPING } from '../math/damping';
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
import { isScorable, SequenceBatch, sequenceBatches } from './sequence-batches';
import { TokenizedSequence } from './tokenized-sequence';

/** Arguments of a factor fit (recorded in the factor set's provenance). */
export interface FactorFitOptions {
  readonly strategy: CurvatureStrategy;
  /** Default `sampled` (labels drawn from the model by Gumbel-max: the true Fisher). */
  readonly fisher?: FisherKind;
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

/** Runs `head` on a batch with the labels of the fit (sampled: every real position scored, seeded noise). */
async function runFitting(ctx: FitContext, head: Omit<HeadSpec, 'labels'>, b: SequenceBatch, pass: number, index: number, extra: Record<string, HostTensor>) {
  const { engine } = ctx;
  const dtype = engine.settings.dtype;
  if (ctx.fisher === 'empirical') return engine.run({ ...head, labels: 'data' }, b.batch, extra);
  const noise = gumbelNoise(batchNoiseSeed(ctx.seed, pass, index), b.batch.batch, b.batch.seqLen, engine.dimensions.vocabSize, dtype);
  return engine.run({ ...head, labels: 'sampled' }, scoreAllPositions(b.batch), { ...extra, gumbel_noise: noise });
}

/**
 * Per-sequence rotated gradients Q_Pᵀ… of a batch: runs the projection head with P, R given per
 * layer and sums the windows of each sequence; calls `use(layer, sequenceIndex, block)`.
 * With P = I, R = I the block is the sequence's gradient G_ℓ (o×(i+1)); with P = Q_Sᵀ,
 * R = Q_Aᵀ it is Q_Sᵀ G_ℓ Q_A.
 */
async function perSequenceBlocks(
  ctx: FitContext,
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

/** Engine, layers, labels and batching of a fit. */
export interface FitContext {
  readonly engine: GradientEngine;
  readonly layers: readonly TrackedLayer[];
  readonly fisher: FisherKind;
  readonly seed: number;
  readonly batchWindows?: number;
  readonly onProgress?: FactorFitOptions['onProgress'];
}

/** Sums of pass 1: Σ_t ā ātᵀ and Σ_t δ δᵀ per layer over all real tokens. */
export interface CovarianceSums {
  readonly sumA: Matrix[];
  readonly sumS: Matrix[];
  readonly tokens: number;
  readonly windows: number;
  readonly sequences: number;
}

function batchingOf(ctx: FitContext) {
  return { context: ctx.engine.dimensions.contextLength, batchWindows: ctx.batchWindows, unscorable: 'skip' as const };
}

/**
 * Pass 1 (kfac, ekfac): Σ_t ā_t ā_tᵀ ((i+1)×(i+1)) and Σ_t δ_t δ_tᵀ (o×o) per layer over every
 * real token, δ the output gradient of each window's summed loss with the fit's labels
 * (sampled: every real position scored, seeded Gumbel noise per batch). Sums, so partial passes
 * (e.g. separate workers) can be added before {@link eigenbasesFromSums}.
 */
export async function covariancePass(ctx: FitContext, sequences: readonly TokenizedSequence[]): Promise<CovarianceSums> {
  const sumA = ctx.layers.map((l) => matrix(l.cols, l.cols));
  const sumS = ctx.layers.map((l) => matrix(l.rows, l.rows));
  let tokens = 0;
  let windows = 0;
  let done = 0;
  let index = 0;
  for (const b of sequenceBatches(sequences, batchingOf(ctx))) {
    const out = await runFitting(ctx, { tracked: ctx.layers.map((l) => l.name), covariance: true }, b, PASS.covariance, index++, {});
    ctx.layers.forEach((l, li) => {
      const a = out[`A.${l.name}`]!.data as ArrayLike<number>;
      const s = out[`S.${l.name}`]!.data as ArrayLike<number>;
      assertFinite(a, { layer: l.name, tensor: 'A (covariance sum)' });
      assertFinite(s, { layer: l.name, tensor: 'S (covariance sum)' });
      for (let k = 0; k < sumA[li]!.data.length; k++) sumA[li]!.data[k]! += a[k]!;
      for (let k = 0; k < sumS[li]!.data.length; k++) sumS[li]!.data[k]! += s[k]!;
    });
    windows += b.windows.length;
    tokens += b.windows.reduce((n, w) => n + w.tokens.length, 0);
    done += b.sequences.length;
    ctx.onProgress?.({ pass: 'covariance', sequences: done, total: sequences.length });
  }
  return { sumA, sumS, tokens, windows, sequences: done };
}

/** A = ΣA/N, S = ΣS/N and their float64 eigendecompositions (eigenvalues descending). */
export function eigenbasesFromSums(
  layers: readonly TrackedLayer[],
  sums: CovarianceSums,
): Array<LayerFactors & Required<Pick<LayerFactors, 'qA' | 'qS' | 'lambdaA' | 'lambdaS' | 'covA' | 'covS'>>> {
  return layers.map((l, li) => {
    const covA = covarianceFromSum(sums.sumA[li]!, sums.tokens, { layer: l.name, tensor: 'A' });
    const covS = covarianceFromSum(sums.sumS[li]!, sums.tokens, { layer: l.name, tensor: 'S' });
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
    };
  });
}

/**
 * Pass 2 (ekfac): adds Σ_z (Q_Sᵀ G_ℓ(z) Q_A)∘² over sequences z into `acc` (one accumulator per
 * layer; fresh sampled labels). Batches of single-window sequences use the engine's
 * eigenvalue-correction head; batches holding multi-window documents rotate each window
 * (projection head with P = Q_Sᵀ, R = Q_Aᵀ), sum per document and square here.
 */
export async function eigenvalueCorrectionPass(
  ctx: FitContext,
  sequences: readonly TokenizedSequence[],
  bases: readonly { qS: Matrix; qA: Matrix }[],
  acc: readonly EkfacEigenvalueAccumulator[],
): Promise<void> {
  const dtype = ctx.engine.settings.dtype;
  const { layers } = ctx;
  const qsIn = bases.map((f) => hostMatrix(f.qS, dtype));
  const qaIn = bases.map((f) => hostMatrix(f.qA, dtype));
  let qsT: HostTensor[] | undefined;
  let qaT: HostTensor[] | undefined;
  const byName = new Map(layers.map((l, li) => [l.name, li]));
  let done = 0;
  let index = 0;
  for (const b of sequenceBatches(sequences, batchingOf(ctx))) {
    const batchIndex = index++;
    if (b.windows.length === b.sequences.length) {
      const extra: Record<string, HostTensor> = {};
      layers.forEach((l, li) => {
        extra[`QS.${l.name}`] = qsIn[li]!;
        extra[`QA.${l.name}`] = qaIn[li]!;
      });
      const out = await runFitting(ctx, { tracked: layers.map((l) => l.name), eigenCorrection: true }, b, PASS.eigenvalues, batchIndex, extra);
      layers.forEach((l, li) => acc[li]!.addSums(outputMatrix(out[`Lambda.${l.name}`]!.data as ArrayLike<number>, l.rows, l.cols), b.sequences.length));
    } else {
      qsT ??= bases.map((f) => hostMatrix(f.qS, dtype, true));
      qaT ??= bases.map((f) => hostMatrix(f.qA, dtype, true));
      const [ps, rs] = [qsT, qaT];
      await perSequenceBlocks(
        ctx,
        b,
        PASS.eigenvalues,
        batchIndex,
        (l) => ({ p: ps[byName.get(l.name)!]!, r: rs[byName.get(l.name)!]! }),
        (li, rot) => {
          const sq = matrix(rot.rows, rot.cols);
          for (let k = 0; k < sq.data.length; k++) sq.data[k] = rot.data[k]! * rot.data[k]!;
          acc[li]!.addSums(sq, 1);
        },
      );
    }
    done += b.sequences.length;
    ctx.onProgress?.({ pass: 'eigenvalues', sequences: done, total: sequences.length });
  }
}

/** Diagonal pass: adds G_ℓ(z)∘² of every sequence z (windows summed) into `acc`. */
export async function diagonalFisherPass(ctx: FitContext, sequences: readonly TokenizedSequence[], acc: readonly DiagonalFisherAccumulator[]): Promise<void> {
  const dtype = ctx.engine.settings.dtype;
  let done = 0;
  let index = 0;
  for (const b of sequenceBatches(sequences, batchingOf(ctx))) {
    await perSequenceBlocks(
      ctx,
      b,
      PASS.diagonal,
      index++,
      (l) => ({ p: hostIdentity(l.rows, dtype), r: hostIdentity(l.cols, dtype) }),
      (li, g) => acc[li]!.add(g),
    );
    done += b.sequences.length;
    ctx.onProgress?.({ pass: 'diagonal', sequences: done, total: sequences.length });
  }
}

/**
 * Fits curvature factors on `sequences` (docs/design.md "Mathematics", Grosse et al. 2023):
 * - pass 1 (kfac, ekfac): `A_ℓ = Σ_t ā_t ā_tᵀ / N`, `S_ℓ = Σ_t δ_t δ_tᵀ / N` over all N real tokens,
 *   δ the output gradient of each window's summed loss (labels sampled from the model by
 *   default), then float64 eigendecompositions `A = Q_A diag(λ_A) Q_Aᵀ`, `S = Q_S diag(λ_S) Q_Sᵀ`;
 * - pass 2 (ekfac): `Λ_ℓ[j,k] = mean_z (Q_Sᵀ G_ℓ(z) Q_A)[j,k]²` over sequences z (fresh
 *   sampled labels), G_ℓ(z) the sum over z's windows;
 * - diagonal: `diag F_ℓ = mean_z G_ℓ(z)∘²`; identity: no pass.
 * The fit takes no damping (Λ does not depend on it; λ is an argument of scoring). The default
 * damping (0.1 × mean eigenvalue) is resolved once here so that a degenerate layer, whose
 * eigenvalues are all zero, fails at fit time rather than at its first query.
 * NaN/Inf in any sum raises `NonFiniteValueError` naming layer and tensor.
 *
 * @param sequences tokenized documents (all tokens scored); iterated once per pass. Documents of
 *   a single token (no prediction) are skipped and not counted.
 */
export async function fitFactors(engine: GradientEngine, sequences: readonly TokenizedSequence[], options: FactorFitOptions): Promise<FactorSet> {
  if (sequences.length === 0) throw new InvalidInputError('factor fitting needs at least one document');
  const layers = trackedLayers(engine.model, options.tracked);
  const fisher = options.fisher ?? 'sampled';
  const ctx: FitContext = { engine, layers, fisher, seed: options.seed ?? 0, batchWindows: options.batchWindows, onProgress: options.onProgress };
  let windows = 0;
  let tokens = 0;
  for (const b of sequenceBatches(sequences, batchingOf(ctx))) {
    windows += b.windows.length;
    tokens += b.windows.reduce((s, w) => s + w.tokens.length, 0);
  }
  const used = sequences.filter(isScorable).length;
  if (used === 0) throw new InvalidInputError('factor fitting needs at least one document of 2 or more tokens');
  const counts = { sequences: used, windows, tokens };
  const strategy = options.strategy;
  const finish = (ls: LayerFactors[]): FactorSet => {
    const fs: FactorSet = { strategy, fisher, counts, layers: ls };
    layerPreconditioners(fs, DEFAULT_DAMPING);
    return fs;
  };
  switch (strategy) {
    case 'identity':
      return finish(layers.map((l) => ({ name: l.name, rows: l.rows, cols: l.cols })));
    case 'diagonal': {
      const acc = layers.map((l) => new DiagonalFisherAccumulator(l.rows, l.cols, l.name));
      await diagonalFisherPass(ctx, sequences, acc);
      return finish(layers.map((l, li) => ({ name: l.name, rows: l.rows, cols: l.cols, fisherDiagonal: acc[li]!.finalize() })));
    }
    case 'kfac':
    case 'ekfac': {
      const fitted = eigenbasesFromSums(layers, await covariancePass(ctx, sequences));
      if (strategy === 'kfac') return finish(fitted);
      const acc = fitted.map((f) => new EkfacEigenvalueAccumulator(f.qS, f.qA, f.name));
      await eigenvalueCorrectionPass(ctx, sequences, fitted, acc);
      return finish(fitted.map((f, li) => ({ ...f, eigenvalues: acc[li]!.finalize() })));
    }
  }
}
