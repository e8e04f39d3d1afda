/**
 * Global-norm gradient clipping: with ‖g‖ = √(Σ_tensors Σ_i g_i²) over every tensor, when
 * ‖g‖ > maxNorm all gradients are scaled in place by maxNorm / ‖g‖ (so ‖g‖ becomes maxNorm).
 * Returns the norm before clipping. maxNorm ≤ 0 or ∞ disables clipping.
 */
export function clipGlobalNorm(grads: Iterable<Float32Array>, maxNorm: number): number {
  const list = [...grads];
  let sq = 0;
  for (const g of list) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  const norm = Math.sqrt(sq);
  if (maxNorm > 0 && Number.isFinite(maxNorm) && norm > maxNorm) {
    const scale = maxNorm / norm;
    for (const g of list) for (let i = 0; i < g.length; i++) g[i]! *= scale;
  }
  return norm;
}
