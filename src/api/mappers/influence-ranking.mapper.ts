import type { InfluenceDocumentRanking } from '../../services/influence-search.service';
import type { InfluenceRankingType } from '../types/influence-query.type';
import { toDocumentType } from './document.mapper';
import { INFLUENCE_MODE_TO_GRAPHQL, INFLUENCE_NORMALIZATION_TO_GRAPHQL, INFLUENCE_SIGN_TO_GRAPHQL } from './enum.mapper';

/** A ranking with its documents as the GraphQL type: one edge per hit, in rank order. */
export function toInfluenceRankingType(ranking: InfluenceDocumentRanking): InfluenceRankingType {
  return {
    mode: INFLUENCE_MODE_TO_GRAPHQL[ranking.mode],
    sign: INFLUENCE_SIGN_TO_GRAPHQL[ranking.sign],
    normalization: INFLUENCE_NORMALIZATION_TO_GRAPHQL[ranking.normalization],
    nats: ranking.nats,
    candidates: ranking.candidates,
    basis: { ...ranking.basis },
    oppositeSign: ranking.oppositeSign ?? 0,
    edges: ranking.hits.map((h) => ({
      rank: h.rank,
      score: h.score,
      perNat: h.perNat,
      normalizedScore: h.normalizedScore,
      gradientNorm: h.gradientNorm,
      document: toDocumentType(h.document),
      layerScores: h.layerScores ? [...h.layerScores] : null,
      tokenScores: h.tokenScores ? [...h.tokenScores] : null,
    })),
  };
}
