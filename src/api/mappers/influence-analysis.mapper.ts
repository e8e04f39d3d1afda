import type { NamedScoreBasis } from '../../services/influence-analysis.service';
import type { ScoreBasisType } from '../types/influence-analysis.type';

/** Where an analysis's scores came from, as the GraphQL type (names, not ids). */
export function toScoreBasisType(b: NamedScoreBasis): ScoreBasisType {
  return { method: b.method, documents: b.documents, cached: b.cached ?? false, factorSet: b.factorSetName, space: b.spaceName };
}
