/** Means and centred second moments of paired samples (two passes, float64). */
export interface CentredMoments {
  readonly meanX: number;
  readonly meanY: number;
  /** Σ (x − x̄)² */
  readonly sxx: number;
  /** Σ (y − ȳ)² */
  readonly syy: number;
  /** Σ (x − x̄)(y − ȳ) */
  readonly sxy: number;
}

/**
 * x̄, ȳ and the centred sums Σ(x−x̄)², Σ(y−ȳ)², Σ(x−x̄)(y−ȳ) over the first `n` pairs: what both
 * Pearson's r and an ordinary least-squares line are made of. Callers check lengths and
 * finiteness.
 */
export function centredMoments(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length): CentredMoments {
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i]!;
    meanY += y[i]!;
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { meanX, meanY, sxx, syy, sxy };
}
