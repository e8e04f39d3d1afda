import { InvalidInputError } from '../errors/tracebase.error';

/** What one commit stored at one instant (e.g. one projection batch: all its rows share `at`). */
export interface ProgressInstant {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** Items (documents) stored at this instant, ≥ 0. */
  readonly items: number;
  /** Tokens of those items, ≥ 0. */
  readonly tokens: number;
}

/** Throughput measured over a window of instants. */
export interface ProgressRate {
  /** Items per second. */
  readonly itemsPerSecond: number;
  /** Tokens per second. */
  readonly tokensPerSecond: number;
  /** Length of the window the rate was measured over, seconds (asOf − t₀). */
  readonly windowSeconds: number;
}

/**
 * Throughput from the commit instants t₀ < t₁ < … < t_k of a window (instants with the same `at`
 * are merged; input order does not matter):
 *
 *   rate = Σ_{i=1..k} n_i / (asOf − t₀)   items/s, and likewise for tokens,
 *
 * where n_i is what instant i stored. The items of t₀ are left out: their work happened before
 * the window opens. While work is running pass `asOf` = now, so the rate falls when workers stall
 * (on a steady process it is low by at most one interval in k); for finished work pass
 * `asOf` = t_k, the rate of the window as it ended. An `asOf` before t_k is taken as t_k.
 *
 * @returns null when fewer than two distinct instants (no interval observed yet).
 */
export function progressRate(instants: readonly ProgressInstant[], asOf: number): ProgressRate | null {
  if (!Number.isFinite(asOf)) throw new InvalidInputError(`progress rate: asOf must be a finite time in ms, got ${asOf}`);
  const merged = new Map<number, { items: number; tokens: number }>();
  for (const [i, p] of instants.entries()) {
    if (!Number.isFinite(p.at) || !Number.isFinite(p.items) || !Number.isFinite(p.tokens) || p.items < 0 || p.tokens < 0) {
      throw new InvalidInputError(`progress rate: instant ${i} must have a finite time and non-negative finite counts, got ${JSON.stringify(p)}`);
    }
    const m = merged.get(p.at) ?? { items: 0, tokens: 0 };
    m.items += p.items;
    m.tokens += p.tokens;
    merged.set(p.at, m);
  }
  if (merged.size < 2) return null;
  const times = [...merged.keys()].sort((a, b) => a - b);
  const first = times[0]!;
  const end = Math.max(asOf, times[times.length - 1]!);
  let items = 0;
  let tokens = 0;
  for (const t of times.slice(1)) {
    items += merged.get(t)!.items;
    tokens += merged.get(t)!.tokens;
  }
  const seconds = (end - first) / 1000;
  return { itemsPerSecond: items / seconds, tokensPerSecond: tokens / seconds, windowSeconds: seconds };
}

/**
 * Estimated time to finish: ⌈remaining / rate⌉ seconds.
 *
 * @param remaining items still to do
 * @param itemsPerSecond the current rate (see {@link progressRate})
 * @returns null when nothing remains, or the rate is unknown or zero
 */
export function etaSeconds(remaining: number, itemsPerSecond: number | null): number | null {
  if (!(remaining > 0) || itemsPerSecond === null || !(itemsPerSecond > 0) || !Number.isFinite(itemsPerSecond)) return null;
  return Math.ceil(remaining / itemsPerSecond);
}
