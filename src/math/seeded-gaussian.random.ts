import { InvalidInputError } from '../errors/tracebase.error';
import { Xoshiro128, Xoshiro128State, fmix32 } from './seeded-random';

/**
 * Deterministic, platform-independent random numbers for projection matrices, reproducible
 * from `(seed, layerIndex, stream)` in any language: the project's xoshiro128** generator
 * ({@link Xoshiro128}, seeded-random.ts) keyed by this key derivation. The algorithm, exactly:
 *
 * 1. **Key derivation.** With all arithmetic mod 2³², `fmix32` the MurmurHash3 finaliser
 *    (`z ^= z >>> 16; z *= 0x85ebca6b; z ^= z >>> 13; z *= 0xc2b2ae35; z ^= z >>> 16`) and
 *    `φ = 0x9e3779b9`: start from `h = 0x6a09e667`; for each word w of
 *    `[seed mod 2³², floor(seed / 2³²), layerIndex, stream]` set `h = fmix32((h ^ w) + φ)`.
 *    The state words are `s_k = fmix32(h + (k + 1)·φ)` for k = 0..3 (if all four are 0,
 *    `s_0 = 1`).
 * 2. **Generator.** xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/):
 *    `out = rotl(s1·5, 7)·9; t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
 *    s3 = rotl(s3, 11)`.
 * 3. **Uniform** in [0, 1) with 53 bits: `(a·2²⁶ + b) / 2⁵³` with `a = next() >>> 5`,
 *    `b = next() >>> 6`.
 * 4. **Normal** by Box–Muller: `u1 = 1 − uniform()` ∈ (0, 1], `u2 = uniform()`,
 *    `ρ = √(−2 ln u1)`; emits `ρ cos(2π u2)` then `ρ sin(2π u2)`.
 *
 * Only `Math.log`, `Math.sqrt`, `Math.cos`, `Math.sin` are involved beyond integer arithmetic,
 * so values agree across platforms to the last ulp or so of those functions.
 */
export class SeededGaussianRandom extends Xoshiro128 {
  private spare: number | undefined;

  /**
   * @param seed integer in [0, 2⁵³) (the projection space's recorded seed).
   * @param layerIndex integer in [0, 2³²) (the tracked layer's position).
   * @param stream integer in [0, 2³²) distinguishing matrices of one layer (0 = P, 1 = R).
   */
  constructor(seed: number, layerIndex = 0, stream = 0) {
    super(projectionState(seed, layerIndex, stream));
  }

  /** Builds a generator from an explicit xoshiro128** state (for reference tests). */
  static fromState(state: Xoshiro128State): SeededGaussianRandom {
    const g = new SeededGaussianRandom(0);
    g.setState(state);
    return g;
  }

  /** Standard normal N(0, 1) (Box–Muller, both outputs used in order). */
  nextNormal(): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const u1 = 1 - this.nextUniform();
    const u2 = this.nextUniform();
    const rho = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = rho * Math.sin(theta);
    return rho * Math.cos(theta);
  }

  /** Fills `out` with N(0, scale²) samples, in index order. */
  fillNormal(out: Float64Array, scale = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = scale * this.nextNormal();
    return out;
  }
}

const PHI = 0x9e3779b9;

/** Step 1 of the algorithm above: the state words of `(seed, layerIndex, stream)`, arguments checked. */
function projectionState(seed: number, layerIndex: number, stream: number): Xoshiro128State {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidInputError(`seed must be an integer in [0, 2^53), got ${seed}`);
  for (const [name, v] of [
    ['layerIndex', layerIndex],
    ['stream', stream],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 32) throw new InvalidInputError(`${name} must be an integer in [0, 2^32), got ${v}`);
  }
  const words = [seed % 2 ** 32, Math.floor(seed / 2 ** 32), layerIndex, stream];
  let h = 0x6a09e667;
  for (const w of words) h = fmix32(((h ^ w) + PHI) >>> 0);
  return [1, 2, 3, 4].map((k) => fmix32((h + Math.imul(k, PHI)) >>> 0)) as unknown as Xoshiro128State;
}
