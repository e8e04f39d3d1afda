/** Which whole-corpus scores: PROJECTED ⟨y_q, x_d⟩ in one space, or the EXACT EK-FAC influence (docs/design.md "Mathematics"). */
export const SCORE_METHODS = ['PROJECTED', 'EXACT'] as const;
export type CachedScoreMethod = (typeof SCORE_METHODS)[number];
