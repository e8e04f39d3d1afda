import type { DocumentRecord } from '../../domain/document.record';
import { toGlobalId } from '../relay/global-id';
import type { DocumentType } from '../types/document.type';

/** A document as the GraphQL type; carries its corpus id for the `corpus` field. */
export type DocumentNode = DocumentType & { readonly corpusRowId: number };

/** A stored document as the GraphQL type. */
export function toDocumentType(d: DocumentRecord): DocumentNode {
  return {
    id: toGlobalId('Document', d.id),
    corpusRowId: d.corpusId,
    externalId: d.externalId,
    text: d.text,
    source: d.source,
    metadata: d.metadata,
    tokenCount: d.tokenCount,
    contentHash: d.contentHash,
  };
}
