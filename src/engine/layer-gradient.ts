/**
 * Converts a linear layer's HF-layout gradients (Conv1D weight `[in, out]`, bias `[out]`) to
 * the per-layer gradient matrix of docs/design.md "Mathematics", G = [∂W | ∂b] ∈ R^{out × (in+1)} (row-major; the
 * last column is the bias, matching ā = [a, 1]).
 */
export function toLayerGradient(weightGrad: ArrayLike<number>, biasGrad: ArrayLike<number>, inFeatures: number, outFeatures: number): Float64Array {
  if (weightGrad.length !== inFeatures * outFeatures || biasGrad.length !== outFeatures) {
    throw new Error(`layer gradient: expected weight [${inFeatures},${outFeatures}] and bias [${outFeatures}]`);
  }
  const i1 = inFeatures + 1;
  const G = new Float64Array(outFeatures * i1);
  for (let c = 0; c < inFeatures; c++) for (let r = 0; r < outFeatures; r++) G[r * i1 + c] = weightGrad[c * outFeatures + r]!;
  for (let r = 0; r < outFeatures; r++) G[r * i1 + inFeatures] = biasGrad[r]!;
  return G;
}

/** Inverse of {@link toLayerGradient}: G [out, in+1] → HF weight `[in, out]` and bias `[out]`. */
export function fromLayerGradient(G: ArrayLike<number>, inFeatures: number, outFeatures: number): { weight: Float32Array; bias: Float32Array } {
  const i1 = inFeatures + 1;
  if (G.length !== outFeatures * i1) throw new Error(`layer gradient: expected [${outFeatures},${i1}]`);
  const weight = new Float32Array(inFeatures * outFeatures);
  const bias = new Float32Array(outFeatures);
  for (let c = 0; c < inFeatures; c++) for (let r = 0; r < outFeatures; r++) weight[c * outFeatures + r] = G[r * i1 + c]!;
  for (let r = 0; r < outFeatures; r++) bias[r] = G[r * i1 + inFeatures]!;
  return { weight, bias };
}
