import { HostTensor } from '../onnx/ort.runner';
import { planBatches } from './batch-planner';
import { GradientEngine } from './gradient.engine';
import { ScoredSequence } from './sequence-windows';

/** One sequence's projected gradient and loss. */
export interface ProjectedSequence {
  /** Per tracked layer, vec(P_ℓ G_ℓ R_ℓᵀ) row-major [r_o × r_i], G summed over all windows. */
  layers: Map<string, Float64Array>;
  /** Σ_scored −log p, nats. */
  loss: number;
  /** Number of scored tokens. */
  scoredTokens: number;
}

/**
 * Projected per-sequence gradients x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ) for many sequences
 * (documents: scoreFrom 0), computed in batches of one fixed shape with the projection head;
 * windows of long documents are summed per document in Node (small [r_o × r_i] arrays only).
 * `P` and `R` hold `P.<layer> [r_o,out]` and `R.<layer> [r_i,in+1]` in the engine's dtype.
 */
export async function projectSequences(
  engine: GradientEngine,
  sequences: readonly ScoredSequence[],
  matrices: Record<string, HostTensor>,
  opts: { tracked: string[]; ranks: Record<string, [number, number]>; batchSize: number },
): Promise<ProjectedSequence[]> {
  const results: ProjectedSequence[] = sequences.map(() => ({ layers: new Map(), loss: 0, scoredTokens: 0 }));
  for (const batch of planBatches(sequences, engine.dimensions.contextLength, opts.batchSize)) {
    const out = await engine.run({ labels: 'data', tracked: opts.tracked, projection: { ranks: opts.ranks } }, batch, matrices);
    const logp = out.logp!.data as Float32Array | Float64Array;
    batch.windows.forEach((w, b) => {
      const r = results[w.sequence]!;
      for (let t = 0; t < batch.seqLen; t++) {
        const m = batch.lossMask[b * batch.seqLen + t]!;
        r.loss -= m * logp[b * batch.seqLen + t]!;
        r.scoredTokens += m;
      }
      for (const layer of opts.tracked) {
        const [ro, ri] = opts.ranks[layer]!;
        const data = out[`proj.${layer}`]!.data as Float32Array | Float64Array;
        let acc = r.layers.get(layer);
        if (!acc) r.layers.set(layer, (acc = new Float64Array(ro * ri)));
        const off = b * ro * ri;
        for (let k = 0; k < ro * ri; k++) acc[k] += data[off + k]!;
      }
    });
  }
  return results;
}
