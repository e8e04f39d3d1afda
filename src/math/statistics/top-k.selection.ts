import { InvalidInputError } from '../../errors/tracebase.error';
import { assertFinite } from '../finite.guard';

/** `positive`: largest scores first (most helpful); `negative`: smallest first (most harmful). */
export type InfluenceSign = 'positive' | 'negative';

export interface TopKOptions {
  /**
   * When true, only scores of the requested sign take part (> 0 for `positive`, < 0 for
   * `negative`), so fewer than k may come back. Default false: pure ordering.
   */
  readonly strictSign?: boolean;
}

/** Selected positions (into the input) and their scores, best first. */
export interface TopKResult {
  readonly indices: Uint32Array;
  readonly scores: Float64Array;
}

/**
 * Top-k selection by partial sort: a bounded binary heap of size k over one pass, O(n log k),
 * then the k winners sorted. Ties are broken by the lower index, so the result is deterministic.
 *
 * @param scores one score per document (e.g. I(q, d) in nats⁻¹·nats, or per nat).
 * @param k how many to return (≥ 0; more than n returns all, sorted).
 * @throws NonFiniteValueError on NaN/Inf scores, InvalidInputError on a bad k.
 */
export function topK(scores: ArrayLike<number>, k: number, sign: InfluenceSign = 'positive', options: TopKOptions = {}): TopKResult {
  if (!Number.isInteger(k) || k < 0) throw new InvalidInputError(`k must be a non-negative integer, got ${k}`);
  assertFinite(scores, { tensor: 'scores (top-k)' });
  const dir = sign === 'positive' ? 1 : -1;
  // better(a, b): a ranks before b.
  const key = (i: number) => dir * scores[i]!;
  const better = (a: number, b: number) => {
    const ka = key(a);
    const kb = key(b);
    return ka > kb || (ka === kb && a < b);
  };
  const cap = Math.min(k, scores.length);
  // Min-heap on "better": the root is the worst of the kept ones.
  const heap = new Uint32Array(cap);
  let size = 0;
  const siftDown = (pos: number) => {
    for (;;) {
      const l = 2 * pos + 1;
      const r = l + 1;
      let worst = pos;
      if (l < size && better(heap[worst]!, heap[l]!)) worst = l;
      if (r < size && better(heap[worst]!, heap[r]!)) worst = r;
      if (worst === pos) return;
      const t = heap[pos]!;
      heap[pos] = heap[worst]!;
      heap[worst] = t;
      pos = worst;
    }
  };
  const siftUp = (pos: number) => {
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!better(heap[parent]!, heap[pos]!)) return;
      const t = heap[pos]!;
      heap[pos] = heap[parent]!;
      heap[parent] = t;
      pos = parent;
    }
  };
  if (cap > 0) {
    for (let i = 0; i < scores.length; i++) {
      if (options.strictSign && !(key(i) > 0)) continue;
      if (size < cap) {
        heap[size++] = i;
        siftUp(size - 1);
      } else if (better(i, heap[0]!)) {
        heap[0] = i;
        siftDown(0);
      }
    }
  }
  const indices = Uint32Array.from(heap.subarray(0, size)).sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  const out = new Float64Array(size);
  for (let j = 0; j < size; j++) out[j] = scores[indices[j]!]!;
  return { indices, scores: out };
}
