/** How a top-influences ranking is computed (docs/design.md "Mathematics: Two-stage retrieval"): ANN, RERANKED or EXACT. */
export const INFLUENCE_MODES = ['ANN', 'RERANKED', 'EXACT'] as const;
export type InfluenceMode = (typeof INFLUENCE_MODES)[number];
