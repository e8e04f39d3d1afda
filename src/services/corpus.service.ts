import type { CorpusRepository } from '../repositories/corpus.repository';
import type { CorpusRecord } from '../domain/corpus.record';
import type { Page } from './page';

/** Reads corpora. */
export class CorpusService {
  constructor(private readonly corpora: CorpusRepository) {}

  page(afterId: number, first: number): Promise<Page<CorpusRecord>> {
    return this.corpora.page(afterId, first);
  }

  /** For DataLoaders: corpora by id in one query, null where absent. */
  getMany(ids: readonly number[]): Promise<(CorpusRecord | null)[]> {
    return this.corpora.findManyByIds(ids);
  }
}
