/** Correlation coefficient of an influence correlation matrix (docs/design.md "Mathematics"). */
export const CORRELATION_METHODS = ['pearson', 'spearman'] as const;
export type CorrelationMethod = (typeof CORRELATION_METHODS)[number];
