import { HostTensor } from '../onnx/ort.runner';
import { planBatches } from './batch-planner';
import { GradientEngine, uniformNoise } from './gradient.engine';
import { ScoredSequence, scoreAllPositions } from './sequence-windows';

/** K-FAC covariance sums of one tracked layer over many sequences. */
export interface LayerCovariance {
  /** Σ_t ā_t ā_tᵀ, [in+1, in+1] row-major (ā = [a, 1]). */
  A: Float64Array;
  /** Σ_t δ_t δ_tᵀ, [out, out] row-major. */
  S: Float64Array;
  inFeatures: number;
  outFeatures: number;
}

/** Covariance sums and the number of tokens they are over (divide to get A_ℓ = E[ā āᵀ], S_ℓ = E[δ δᵀ]). */
export interface CovarianceSums {
  layers: Map<string, LayerCovariance>;
  tokens: number;
}

/**
 * Accumulates the K-FAC sums Σ ā āᵀ and Σ δ δᵀ of the tracked layers over `sequences`, in
 * fixed-shape batches. With `labels: 'sampled'` (the default, the true Fisher) δ comes from
 * labels drawn from the model's own distribution by inverse-CDF sampling with uniform noise
 * seeded by `seed + batch index`, and every real position is scored; with `labels: 'data'` the
 * data targets and the sequences' loss masks are used (empirical Fisher).
 */
export async function accumulateCovariances(
  engine: GradientEngine,
  sequences: readonly ScoredSequence[],
  opts: { tracked: string[]; batchSize: number; labels?: 'sampled' | 'data'; seed?: number },
): Promise<CovarianceSums> {
  const sampled = (opts.labels ?? 'sampled') === 'sampled';
  const layers = new Map<string, LayerCovariance>();
  let tokens = 0;
  const batches = planBatches(sequences, engine.dimensions.contextLength, opts.batchSize);
  for (let k = 0; k < batches.length; k++) {
    const batch = sampled ? scoreAllPositions(batches[k]!) : batches[k]!;
    const extra: Record<string, HostTensor> = sampled
      ? { uniform_noise: uniformNoise((opts.seed ?? 0) + k, batch.batch, batch.seqLen, engine.settings.dtype) }
      : {};
    const out = await engine.run({ labels: sampled ? 'sampled-icdf' : 'data', tracked: opts.tracked, covariance: true }, batch, extra);
    for (const l of opts.tracked) {
      const A = out[`A.${l}`]!;
      const S = out[`S.${l}`]!;
      let acc = layers.get(l);
      if (!acc) {
        acc = { A: new Float64Array(A.data.length), S: new Float64Array(S.data.length), inFeatures: A.dims[0]! - 1, outFeatures: S.dims[0]! };
        layers.set(l, acc);
      }
      const a = A.data as Float32Array | Float64Array;
      const s = S.data as Float32Array | Float64Array;
      for (let i = 0; i < a.length; i++) acc.A[i] += a[i]!;
      for (let i = 0; i < s.length; i++) acc.S[i] += s[i]!;
    }
    tokens += batch.attentionMask.reduce((x, y) => x + y, 0);
  }
  return { layers, tokens };
}
