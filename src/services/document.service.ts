import { InvalidInputError } from '../errors/tracebase.error';
import type { DocumentRepository } from '../repositories/document.repository';
import type { DocumentFilter } from '../domain/document-filter';
import type { DocumentRecord } from '../domain/document.record';
import type { Page } from './page';

/** Longest text-search string accepted. */
export const MAX_TEXT_SEARCH = 200;

/** Reads documents. */
export class DocumentService {
  constructor(private readonly documents: DocumentRepository) {}

  /** A page of a corpus's documents; filters are validated before any query. */
  page(filter: DocumentFilter, afterId: number, first: number): Promise<Page<DocumentRecord>> {
    this.validate(filter);
    return this.documents.page(filter, afterId, first);
  }

  /** The same page for several corpora, in one query (for DataLoaders). */
  pageMany(corpusIds: readonly number[], filter: Omit<DocumentFilter, 'corpusId'>, afterId: number, first: number): Promise<Page<DocumentRecord>[]> {
    this.validate(filter);
    return this.documents.pageMany(corpusIds, filter, afterId, first);
  }

  private validate(filter: Omit<DocumentFilter, 'corpusId'>): void {
    if (filter.textContains !== undefined && (filter.textContains.length === 0 || filter.textContains.length > MAX_TEXT_SEARCH)) {
      throw new InvalidInputError(`text search must be 1–${MAX_TEXT_SEARCH} characters`, { argument: 'search' });
    }
    if (filter.metadata !== undefined && (typeof filter.metadata !== 'object' || Array.isArray(filter.metadata) || filter.metadata === null)) {
      throw new InvalidInputError('metadata filter must be a JSON object', { argument: 'metadata' });
    }
  }

  getMany(ids: readonly number[]): Promise<(DocumentRecord | null)[]> {
    return this.documents.findManyByIds(ids);
  }
}
