import { NotFoundError } from '../errors/tracebase.error';
import { type ProjectDocumentsJob, PROJECT_DOCUMENTS } from '../jobs/job-names';
import type { JobQueue } from '../jobs/job-queue';
import type { CorpusRepository } from '../repositories/corpus.repository';
import type { DocumentProjectionRecord, DocumentProjectionRepository } from '../repositories/document-projection.repository';
import type { DocumentRepository } from '../repositories/document.repository';
import type { ProjectionSpaceRecord } from '../repositories/projection-space.repository';

/** How far the ingestion of a corpus into a space is. */
export interface IngestionProgress {
  readonly projected: number;
  readonly total: number;
}

/**
 * Ingestion of a corpus into a projection space: the corpus is cut into batches of document ids,
 * one project-documents job each (deterministic job ids: starting again sends only what is
 * missing), and the space's HNSW index is built once the vectors are loaded.
 */
export class IngestionService {
  constructor(
    private readonly corpora: CorpusRepository,
    private readonly documents: DocumentRepository,
    private readonly projections: DocumentProjectionRepository,
  ) {}

  /** Sends the jobs; returns how many batches there are and how many were new. */
  async enqueue(queue: JobQueue, corpusName: string, space: ProjectionSpaceRecord, batchSize: number): Promise<{ batches: number; sent: number; corpusId: number }> {
    const corpus = await this.corpora.findByName(corpusName);
    if (!corpus) throw new NotFoundError(`no corpus named "${corpusName}" (tracebase corpus import)`);
    let afterId = 0;
    let batches = 0;
    let sent = 0;
    for (;;) {
      const ids = await this.documents.idsInCorpus(corpus.id, afterId, batchSize);
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1]!;
      const job: ProjectDocumentsJob = { spaceId: space.id, corpusId: corpus.id, documentIds: ids };
      sent += await queue.sendMany(PROJECT_DOCUMENTS, [{ key: `space:${space.id}:docs:${ids[0]}-${afterId}:${ids.length}`, data: job }]);
      batches++;
    }
    return { batches, sent, corpusId: corpus.id };
  }

  /** Stores one batch's vectors (one transaction, idempotent per space and document). */
  store(spaceId: number, records: readonly DocumentProjectionRecord[]): Promise<number> {
    return this.projections.upsertMany(spaceId, records);
  }

  async progress(corpusId: number, spaceId: number): Promise<IngestionProgress> {
    const [projected, total] = await Promise.all([
      this.documents.countProjected(corpusId, spaceId),
      this.documents.countInCorpus(corpusId),
    ]);
    return { projected, total };
  }

  /** Builds (if missing) the space's HNSW index on the loaded sketches, then ANALYZE. */
  async finalize(space: ProjectionSpaceRecord): Promise<string> {
    return this.projections.ensureSketchIndex(space.id, space.sketchDims);
  }
}
