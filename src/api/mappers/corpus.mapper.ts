import type { CorpusRecord } from '../../domain/corpus.record';
import { toGlobalId } from '../relay/global-id';
import type { CorpusType } from '../types/corpus.type';

/** A stored corpus as the GraphQL type. */
export function toCorpusType(c: CorpusRecord): CorpusType {
  return { id: toGlobalId('Corpus', c.id), name: c.name, description: c.description, documentCount: c.documentCount, createdAt: c.createdAt };
}
