/**
 * Seeded pseudo-random numbers for the synthetic world, so that a world is a pure function of
 * its seed.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna, 2018, "Scrambled linear pseudorandom number
 * generators"), a 128-bit state of four 32-bit words, period 2^128 − 1. The state is filled
 * from a 64-bit key with SplitMix64 (Steele, Lea & Flood, 2014), as the xoshiro authors
 * recommend. A key is FNV-1a (64-bit) of the text `"<seed>/<label>"`, so every named stream
 * (`fork("fact/capital/3/7")`) is independent of every other and of how many values other
 * streams drew: a document generated from its own stream is identical in every world size.
 */

const MASK64 = (1n << 64n) - 1n;
const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;

/** FNV-1a, 64-bit, over the UTF-16 code units of `text` (all our labels are ASCII). */
export function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET_64;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i) & 0xff);
    hash = (hash * FNV_PRIME_64) & MASK64;
  }
  return hash;
}

/** One SplitMix64 step: returns the next state and its 64-bit output. */
export function splitMix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z = z ^ (z >> 31n);
  return { state: next, value: z };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A deterministic random stream (xoshiro128**) with helpers for the generator. */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed the world seed (a non-negative safe integer)
   * @param label names the stream; equal (seed, label) pairs give equal streams
   */
  constructor(
    readonly seed: number,
    readonly label: string = '',
  ) {
    let state = fnv1a64(`${seed}/${label}`);
    const words: number[] = [];
    for (let i = 0; i < 2; i += 1) {
      const step = splitMix64(state);
      state = step.state;
      words.push(Number(step.value & 0xffffffffn), Number(step.value >> 32n));
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /**
   * A stream with the given raw xoshiro128** state (for checking the algorithm against the
   * reference implementation's outputs).
   */
  static fromState(state: readonly [number, number, number, number]): SeededRandom {
    const rng = new SeededRandom(0, 'raw-state');
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((w) => w >>> 0) as [number, number, number, number];
    return rng;
  }

  /** An independent stream for a sub-component, named by `label` under this stream's label. */
  fork(label: string): SeededRandom {
    return new SeededRandom(this.seed, this.label === '' ? label : `${this.label}/${label}`);
  }

  /** Next 32-bit unsigned integer (xoshiro128** output function). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
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
