import { NonFiniteValueError, TensorLabel } from './math.error';

/**
 * Throws {@link NonFiniteValueError} naming `label` (layer and tensor) at the first NaN or ±Inf
 * in `values`; returns `values` unchanged otherwise. Cost: one pass, O(length).
 *
 * Use at every boundary where numbers enter the influence mathematics (gradient sums from the
 * engine, factors read from disk, query gradients), docs/design.md "Bad input".
 */
export function assertFinite<T extends ArrayLike<number>>(values: T, label: TensorLabel): T {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // v - v is 0 for finite v and NaN for NaN/±Inf.
    if (v - v !== 0) throw new NonFiniteValueError(label, i, v);
  }
  return values;
}

/** `true` when every entry of `values` is finite (no NaN, no ±Inf). */
export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) return false;
  }
  return true;
}
