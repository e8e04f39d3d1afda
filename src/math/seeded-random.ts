/**
 * Seeded pseudo-random numbers: the project's one home for them (docs/design.md "Components and data flow").
 * Every stream is a pure function of its seed, identical on every platform, and every algorithm
 * below is recorded in outputs that must not change (the synthetic world of a seed, recorded
 * projection matrices, fitted factors' sampled labels, the reference model's training run), so
 * each algorithm is kept exactly and named by what it is:
 *
 * - {@link Xoshiro128} — the generator xoshiro128** 1.1 (Blackman & Vigna, 2018, "Scrambled
 *   linear pseudorandom number generators", https://prng.di.unimi.it/): a 128-bit state of four
 *   32-bit words, period 2^128 − 1, with uniform, integer, choice and shuffle helpers. Two ways
 *   of keying it:
 *   - {@link SeededRandom}: named streams keyed by FNV-1a 64 of `"<seed>/<label>"` expanded by
 *     SplitMix64 (the synthetic world; `fork(label)` gives independent sub-streams);
 *   - `SeededGaussianRandom` (seeded-gaussian.random.ts): keyed by `(seed, layer, stream)`
 *     through {@link fmix32} (projection matrices), with Box–Muller normals.
 * - {@link Mulberry32} — mulberry32 over one 32-bit state (a readable/restorable state): the
 *   engine's Gumbel and uniform label noise and the reference model's training run. It is a
 *   different algorithm whose outputs are recorded, so it stays beside xoshiro128** rather
 *   than being replaced by it.
 */

const MASK64 = (1n << 64n) - 1n;
const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;

/** FNV-1a, 64-bit, over the low bytes of the UTF-16 code units of `text` (all our labels are ASCII). */
export function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET_64;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i) & 0xff);
    hash = (hash * FNV_PRIME_64) & MASK64;
  }
  return hash;
}

/** One SplitMix64 step (Steele, Lea & Flood, 2014): returns the next state and its 64-bit output. */
export function splitMix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z = z ^ (z >> 31n);
  return { state: next, value: z };
}

/** MurmurHash3 32-bit finaliser (unsigned result). */
export function fmix32(x: number): number {
  let z = x >>> 0;
  z ^= z >>> 16;
  z = Math.imul(z, 0x85ebca6b);
  z ^= z >>> 13;
  z = Math.imul(z, 0xc2b2ae35);
  z ^= z >>> 16;
  return z >>> 0;
}

/**
 * A 32-bit seed derived from a run seed and a stream label: FNV-1a (32-bit) of `"<seed>/<label>"`,
 * so differently labelled streams of one run are independent.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}/${label}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Four 32-bit state words of xoshiro128**. */
export type Xoshiro128State = readonly [number, number, number, number];

/**
 * xoshiro128** 1.1 over an explicit 128-bit state:
 * `out = rotl(s1·5, 7)·9; t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
 * s3 = rotl(s3, 11)` (all mod 2³²). Subclasses only choose how a seed becomes the state.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param state the four state words (not all zero; the all-zero state is a fixed point and becomes s0 = 1). */
  constructor(state: Xoshiro128State) {
    const [a, b, c, d] = state.map((w) => w | 0) as [number, number, number, number];
    this.s0 = (a | b | c | d) === 0 ? 1 : a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
  }

  /** Replaces the state (for checking the algorithm against the reference implementation's outputs). */
  protected setState(state: Xoshiro128State): void {
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w | 0) as [number, number, number, number];
  }

  /** Next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution (one draw). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [0, 1) with 53 random bits: `(a·2²⁶ + b) / 2⁵³`, `a = next() >>> 5`, `b = next() >>> 6`. */
  nextUniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [min, max], both inclusive (unbiased, by rejection). */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`SeededRandom.int: bad range [${min}, ${max}]`);
    }
    const span = max - min + 1;
    if (span > 4294967296) throw new RangeError('SeededRandom.int: range wider than 2^32');
    const limit = 4294967296 - (4294967296 % span);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return min + (x % span);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.nextFloat() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('SeededRandom.pick: empty array');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** `count` distinct elements, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    if (count > items.length) throw new RangeError('SeededRandom.sample: count exceeds population');
    return this.shuffle(items).slice(0, count);
  }
}

/**
 * Named xoshiro128** streams, so that a synthetic world is a pure function of its seed. The
 * state is filled from a 64-bit key with SplitMix64 (as the xoshiro authors recommend); the key
 * is FNV-1a 64 of `"<seed>/<label>"`, so every named stream (`fork("fact/capital/3/7")`) is
 * independent of every other and of how many values other streams drew: a document generated
 * from its own stream is identical in every world size.
 */
export class SeededRandom extends Xoshiro128 {
  /**
   * @param seed the seed (a non-negative safe integer)
   * @param label names the stream; equal (seed, label) pairs give equal streams
   */
  constructor(
    readonly seed: number,
    readonly label: string = '',
  ) {
    super(labelledState(seed, label));
  }

  /** A stream with the given raw xoshiro128** state (for checking the algorithm against the reference implementation's outputs). */
  static fromState(state: Xoshiro128State): SeededRandom {
    const rng = new SeededRandom(0, 'raw-state');
    rng.setState(state);
    return rng;
  }

  /** An independent stream for a sub-component, named by `label` under this stream's label. */
  fork(label: string): SeededRandom {
    return new SeededRandom(this.seed, this.label === '' ? label : `${this.label}/${label}`);
  }
}

/** The xoshiro128** state of the stream `(seed, label)`: two SplitMix64 outputs from the FNV-1a 64 key, low word first. */
function labelledState(seed: number, label: string): Xoshiro128State {
  let state = fnv1a64(`${seed}/${label}`);
  const words: number[] = [];
  for (let i = 0; i < 2; i += 1) {
    const step = splitMix64(state);
    state = step.state;
    words.push(Number(step.value & 0xffffffffn), Number(step.value >> 32n));
  }
  return words as unknown as Xoshiro128State;
}

/**
 * mulberry32 over one 32-bit state that can be read and restored (a training checkpoint records
 * it, so a resumed run draws the same numbers as an uninterrupted one):
 * `s += 0x6d2b79f5; t = (s ^ s >>> 15)·(s | 1); t ^= t + (t ^ t >>> 7)·(t | 61); out = t ^ t >>> 14`.
 */
export class Mulberry32 {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The 32-bit state (store it in a checkpoint). */
  get state(): number {
    return this.s;
  }

  /** Restores a state read from {@link state}. */
  set state(value: number) {
    this.s = value >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in the open interval (0, 1) (zeros redrawn). */
  nextOpen(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }

  /** Standard normal N(0, 1): Box–Muller `√(−2 ln u₁)·cos(2π u₂)`, u₁ ∈ (0, 1), one value per call. */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.nextOpen())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Standard Gumbel: −log(−log u), u ∈ (0, 1). */
  gumbel(): number {
    return -Math.log(-Math.log(this.nextOpen()));
  }

  /** Integer uniform in [0, n): ⌊next()·n⌋. */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A Fisher–Yates permutation of 0..n−1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
