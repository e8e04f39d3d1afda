/**
 * The training run's PRNG: mulberry32 over one 32-bit state that can be read and restored, so
 * a checkpoint records it and a resumed run draws the same numbers as an uninterrupted one.
 */
export class TrainingRandom {
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

  /** Standard normal N(0, 1) (Box–Muller, one value per call). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Integer uniform in [0, n). */
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

/** A 32-bit seed derived from a run seed and a stream label (FNV-1a), so streams are independent. */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}/${label}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
