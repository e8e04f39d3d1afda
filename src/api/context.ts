import DataLoader from 'dataloader';

import type { Viewer } from '../auth/viewer';
import type { CorpusRecord } from '../domain/corpus.record';
import type { DocumentFilter } from '../domain/document-filter';
import type { DocumentRecord } from '../domain/document.record';
import type { ModelRecord } from '../domain/model.record';
import type { Page } from '../services/page';
import type { Services } from '../services/service-container';

/** Batching loaders of one request: each entity is fetched once, in one query per tick. */
export interface RequestLoaders {
  readonly corpus: DataLoader<number, CorpusRecord | null>;
  readonly model: DataLoader<number, ModelRecord | null>;
  /** Document pages of corpora: keys asking for the same page of different corpora share one query. */
  readonly documentPage: DataLoader<DocumentPageKey, Page<DocumentRecord>, string>;
}

/** One corpus's page of documents, as a loader key. */
export interface DocumentPageKey {
  readonly filter: DocumentFilter;
  readonly afterId: number;
  readonly first: number;
}

/** What every resolver receives for one GraphQL request. */
export interface GraphQLContext {
  readonly services: Services;
  /** Correlates log lines and errors of one request. */
  readonly requestId: string;
  /** The authenticated caller, or null for an anonymous request. */
  readonly viewer: Viewer | null;
  readonly loaders: RequestLoaders;
  /** Directory the importCorpus mutation may read from (unset: refused). */
  readonly importDir?: string;
}

/** Fresh loaders for one request (never shared between requests or viewers). */
export function createRequestLoaders(services: Services): RequestLoaders {
  return {
    corpus: new DataLoader((ids) => services.corpora.getMany(ids)),
    model: new DataLoader((ids) => services.modelRegistry.getMany(ids)),
    documentPage: new DataLoader(
      async (keys) => {
        // group keys that differ only by corpus; one query per group
        const groups = new Map<string, number[]>();
        keys.forEach((key, index) => {
          const { corpusId: _corpus, ...rest } = key.filter;
          const group = JSON.stringify([rest, key.afterId, key.first]);
          groups.set(group, [...(groups.get(group) ?? []), index]);
        });
        const results = new Array<Page<DocumentRecord>>(keys.length);
        await Promise.all(
          [...groups.values()].map(async (indexes) => {
            const key = keys[indexes[0]!]!;
            const { corpusId: _corpus, ...rest } = key.filter;
            const pages = await services.documents.pageMany(
              indexes.map((i) => keys[i]!.filter.corpusId),
              rest,
              key.afterId,
              key.first,
            );
            indexes.forEach((i, j) => (results[i] = pages[j]!));
          }),
        );
        return results;
      },
      { cacheKeyFn: (key) => JSON.stringify(key) },
    ),
  };
}
