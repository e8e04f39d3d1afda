/**
 * Synthetic document vectors for the retrieval benchmark (pure, seeded, no I/O): more documents
 * than were ingested, drawn from the distribution of real projected gradients.
 *
 * Replica k of a set of real vectors x_1 … x_R (full projections, D dims):
 *
 *   b_k ~ Uniform{1 … R}                       (the base document; its own stream, so the bases
 *                                               of a corpus are known before any vector)
 *   s_k = exp(τ · z_k),  z_k ~ N(0, 1)          (heavy-tailed log-normal scale, τ = `scaleSpread`)
 *   x'_k = s_k · (x_{b_k} + σ · ‖x_{b_k}‖ / √D · ε_k),  ε_k ~ N(0, I_D)   (σ = `noise`)
 *
 * so the Gaussian part has expected squared norm σ²‖x_b‖² (relative size σ), the direction stays
 * near a real gradient's (cosine ≈ 1/√(1 + σ²) with its base), and the norm distribution is the
 * real one's (already heavy-tailed) spread further by the log-normal factor. The sequence is
 * prefix-stable: replica k is the same whatever the total count, so a 10k set is the first 10k
 * of a 100k set.
 */
import { Mulberry32 } from '../../src/math/seeded-random';

/** How replicas are drawn from the real vectors. */
export interface ReplicationSettings {
  /** σ: expected norm of the Gaussian noise relative to its base's norm (≥ 0). */
  readonly noise: number;
  /** τ: standard deviation of log s, the log-normal scale factor (≥ 0; 0 keeps the base's norm). */
  readonly scaleSpread: number;
  /** Seed of both random streams (bases; scales and noise). */
  readonly seed: number;
}

/** One synthetic vector. */
export interface Replica {
  /** Position k in the replica sequence. */
  readonly index: number;
  /** Index of its base among the real vectors. */
  readonly base: number;
  /** s_k. */
  readonly scale: number;
  /** x'_k, length D. */
  readonly full: Float32Array;
  /** ‖x'_k‖₂ (of the float32 values). */
  readonly norm: number;
}

function checkSettings(settings: ReplicationSettings): void {
  if (!(settings.noise >= 0) || !Number.isFinite(settings.noise)) throw new RangeError(`noise must be a finite number >= 0, got ${settings.noise}`);
  if (!(settings.scaleSpread >= 0) || !Number.isFinite(settings.scaleSpread)) {
    throw new RangeError(`scale spread must be a finite number >= 0, got ${settings.scaleSpread}`);
  }
  if (!Number.isInteger(settings.seed) || settings.seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${settings.seed}`);
}

/** b_0 … b_{count−1}: the base of each replica, uniform over `realCount` vectors (seeded). */
export function replicaBases(count: number, realCount: number, seed: number): Uint32Array {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(realCount) || realCount < 1) throw new RangeError(`there must be at least one real vector, got ${realCount}`);
  const rng = new Mulberry32(seed);
  const out = new Uint32Array(count);
  for (let k = 0; k < count; k++) out[k] = Math.min(realCount - 1, Math.floor(rng.next() * realCount));
  return out;
}

/**
 * The replicas x'_0 … x'_{count−1} of `real` (all of one dimension D), in order. Only one
 * replica's vector is alive at a time, so counts in the millions stream in constant memory.
 */
export function* replicateVectors(real: readonly Float32Array[], count: number, settings: ReplicationSettings): Generator<Replica> {
  checkSettings(settings);
  if (real.length === 0) throw new RangeError('there must be at least one real vector');
  const dims = real[0]!.length;
  const norms = real.map((x, i) => {
    if (x.length !== dims) throw new RangeError(`real vector ${i} has ${x.length} dims, vector 0 has ${dims}`);
    let s = 0;
    for (let j = 0; j < dims; j++) s += x[j]! * x[j]!;
    return Math.sqrt(s);
  });
  const bases = replicaBases(count, real.length, settings.seed);
  // a second stream, decorrelated from the bases' one
  const rng = new Mulberry32((settings.seed ^ 0x9e3779b9) >>> 0);
  for (let k = 0; k < count; k++) {
    const b = bases[k]!;
    const x = real[b]!;
    const scale = Math.exp(settings.scaleSpread * rng.normal());
    const sigma = (settings.noise * norms[b]!) / Math.sqrt(dims);
    const full = new Float32Array(dims);
    let sq = 0;
    for (let j = 0; j < dims; j++) {
      const v = Math.fround(scale * (x[j]! + sigma * rng.normal()));
      full[j] = v;
      sq += v * v;
    }
    yield { index: k, base: b, scale, full, norm: Math.sqrt(sq) };
  }
}
