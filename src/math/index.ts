/**
 * The pure mathematics of the influence engine (docs/design.md "Mathematics"): typed arrays in, typed arrays
 * out, no I/O. Row-major float64 matrices ({@link Matrix}); a layer W ∈ R^{o×i} has gradients
 * o×(i+1) (bias as an appended input 1).
 */
export * from './math.error';
export * from './finite.guard';
export * from './dense-matrix';
export * from './symmetric-eigen';
export * from './kronecker-covariance';
export * from './ekfac-eigenvalue.accumulator';
export * from './diagonal-fisher.accumulator';
export * from './kfac-eigenvalues';
export * from './damping';
export * from './ekfac-preconditioner';
export * from './low-rank-approximation';
export * from './randomized-low-rank';
export * from './token-influence';
export * from './influence-score';
export * from './seeded-random';
export * from './seeded-gaussian.random';
export * from './gaussian-projection';
export * from './eigenbasis-projection';
export * from './kronecker-projection';
export * from './projection-layout';
export * from './projection-sketch';
export * from './statistics/pearson.statistic';
export * from './statistics/average-ranks.statistic';
export * from './statistics/spearman.statistic';
export * from './statistics/top-k.selection';
export * from './statistics/cumulative-share.statistic';
export * from './statistics/power-law-fit.statistic';
export * from './statistics/over-representation.statistic';
export * from './statistics/correlation-matrix.statistic';
