/**
 * Pure measures of the retrieval benchmark (no I/O): recall of a ranking against the exact one,
 * and percentiles of latency samples.
 */

/**
 * recall@k = |top-k of `retrieved` ∩ top-k of `truth`| / min(k, |truth|): the share of the exact
 * top-k (by document id) that a search returned within its own first k. Duplicated ids in
 * `retrieved` count once. A truth of 0 ids gives recall 1 (nothing to find).
 *
 * @param retrieved document ids in the order the search returned them.
 * @param truth document ids of the exact ranking, best first.
 * @throws RangeError when k is not a positive integer.
 */
export function recallAtK(retrieved: readonly number[], truth: readonly number[], k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const wanted = new Set(truth.slice(0, k));
  if (wanted.size === 0) return 1;
  const found = new Set<number>();
  for (const id of retrieved.slice(0, k)) if (wanted.has(id)) found.add(id);
  return found.size / Math.min(k, wanted.size);
}

/**
 * The p-th percentile (0 ≤ p ≤ 100) of `samples` by linear interpolation between the two
 * closest ranks (the "linear" method of NumPy and R type 7): sorted x, h = (n − 1)·p/100,
 * value x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). NaN for no samples.
 *
 * @throws RangeError for p outside [0, 100] or a non-finite sample.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (samples.length === 0) return NaN;
  for (const [i, v] of samples.entries()) if (!Number.isFinite(v)) throw new RangeError(`sample ${i} is ${v}; samples must be finite`);
  const sorted = [...samples].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Median, 95th percentile and count of latency samples, in the samples' unit (ms here). */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly samples: number;
}

export function latencySummary(samples: readonly number[]): LatencySummary {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), samples: samples.length };
}

/** Mean and minimum of per-query recalls. NaN for none. */
export function recallSummary(recalls: readonly number[]): { mean: number; min: number } {
  if (recalls.length === 0) return { mean: NaN, min: NaN };
  return { mean: recalls.reduce((s, r) => s + r, 0) / recalls.length, min: recalls.reduce((m, r) => Math.min(m, r), Infinity) };
}

/**
 * Shape of a norm distribution (heavy-tail check, docs/design.md "Mathematics: Norm dominance"): median, 90th
 * and 99th percentiles, and max / median.
 */
export function normProfile(norms: ArrayLike<number>): { median: number; p90: number; p99: number; maxOverMedian: number } {
  const values = Array.from(norms);
  if (values.length === 0) return { median: NaN, p90: NaN, p99: NaN, maxOverMedian: NaN };
  const median = percentile(values, 50);
  return { median, p90: percentile(values, 90), p99: percentile(values, 99), maxOverMedian: values.reduce((m, v) => Math.max(m, v), -Infinity) / median };
}

/**
 * Norm dominance of a ranking: the share of `ranked` ids whose norm is at least `threshold`
 * (e.g. the 90th percentile of all norms: the share of the top-k from the 10 % largest norms).
 */
export function shareAtOrAbove(ranked: readonly number[], normOf: ReadonlyMap<number, number>, threshold: number): number {
  if (ranked.length === 0) return NaN;
  let n = 0;
  for (const id of ranked) if ((normOf.get(id) ?? -Infinity) >= threshold) n++;
  return n / ranked.length;
}
