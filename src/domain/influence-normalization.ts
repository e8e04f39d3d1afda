/**
 * What a ranking orders by: NONE, the influence score itself; GRADIENT_NORM, the score divided
 * by the document's gradient norm ‖x_d‖₂ (cosine-like; docs/design.md "Mathematics: Norm dominance").
 */
export const INFLUENCE_NORMALIZATIONS = ['NONE', 'GRADIENT_NORM'] as const;
export type InfluenceNormalization = (typeof INFLUENCE_NORMALIZATIONS)[number];
