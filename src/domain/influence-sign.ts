/** Which end of a ranking: the documents that most raise (POSITIVE) or most lower (NEGATIVE) log p(completion | prompt). */
export const INFLUENCE_SIGNS = ['POSITIVE', 'NEGATIVE'] as const;
export type InfluenceSign = (typeof INFLUENCE_SIGNS)[number];
