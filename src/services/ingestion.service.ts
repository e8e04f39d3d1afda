import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { type ProjectDocumentsJob } from '../jobs/job-names';
import { PROJECT_DOCUMENTS } from '../domain/queue-name';
import type { JobQueue } from '../jobs/job-queue';
import type { CorpusRepository } from '../repositories/corpus.repository';
import type { DocumentProjectionIndexRepository } from '../repositories/document-projections/document-projection-index.repository';
import type { DocumentProjectionWriteRepository } from '../repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../domain/document-projection.record';
import type { DocumentRepository } from '../repositories/document.repository';
import type { IngestionRateRepository } from '../repositories/ingestion-rate.repository';
import type { JobRepository, JobStateCounts } from '../repositories/job.repository';
import { etaSeconds, progressRate } from '../math/progress-rate';
import type { ProjectionSpaceRepository } from '../repositories/projection-space.repository';
import type { ProjectionSpaceRecord } from '../domain/projection-space.record';
import type { NewProjectionSpace, ProjectionSpaceService } from './projection-space.service';
import { decodeSearchWhitening, encodeSearchWhitening, fitSearchWhitening, type SearchWhitening, whitenDocuments } from '../math/search-whitening';

/** How far the ingestion of a corpus into a space is. */
export interface IngestionProgress {
  readonly projected: number;
  readonly total: number;
}

/** Progress with the state of the ingestion's jobs. */
export interface IngestionStatus extends IngestionProgress {
  readonly corpusId: number;
  readonly spaceId: number;
  readonly jobs: JobStateCounts;
  readonly indexed: boolean;
  /** Documents stored per second over the recent window (see {@link RATE_WINDOW}); null while unknown. */
  readonly documentsPerSecond: number | null;
  /** Tokens of those documents per second; null while unknown. */
  readonly tokensPerSecond: number | null;
  /** (total − projected) / documentsPerSecond, s; null when unknown or when no job is left to run. */
  readonly etaSeconds: number | null;
}

/**
 * Window of the ingestion rate: the most recent `instants` batch commits of the last `seconds`.
 * While jobs are left the rate runs to now (it falls when workers stall); once none is left, to
 * the last commit.
 */
export const RATE_WINDOW = { seconds: 300, instants: 20 } as const;

/**
 * When a space's index is built, its sketches get a whitened search basis
 * (src/math/search-whitening.ts) if the sketch has at most `maxDims` dimensions (Σ is D×D and
 * its eigendecomposition runs in the process) and the space holds at least 2 D documents; it is
 * fitted on up to `sampleSize` of them.
 */
export const SEARCH_WHITENING = { maxDims: 1024, sampleSize: 8192, fillBatch: 1000 } as const;

/**
 * Ingestion of a corpus into a projection space: the corpus is cut into batches of document ids,
 * one project-documents job each (deterministic job ids: starting again sends only what is
 * missing), and the space's HNSW index is built once the vectors are loaded.
 */
export class IngestionService {
  constructor(
    private readonly corpora: CorpusRepository,
    private readonly documents: DocumentRepository,
    private readonly projections: DocumentProjectionWriteRepository,
    private readonly indexes: DocumentProjectionIndexRepository,
    private readonly jobs: JobRepository,
    private readonly rates: IngestionRateRepository,
    private readonly spaces: ProjectionSpaceRepository,
    private readonly spaceService: ProjectionSpaceService,
    private readonly queue: JobQueue,
  ) {}

  /**
   * startIngestion: creates the projection space if new (refusing one of other parameters),
   * queues the projection of every document of the corpus on the job queue ({@link enqueue};
   * what is queued already is not sent again) and returns the ingestion's status.
   */
  async startIngestion(
    input: NewProjectionSpace & { readonly corpus: string; readonly batchSize: number },
  ): Promise<{ space: ProjectionSpaceRecord; status: IngestionStatus }> {
    const { corpus, batchSize, ...spec } = input;
    assertBatchSize(batchSize);
    const space = await this.spaceService.create(spec);
    await this.enqueue(this.queue, corpus, space, batchSize);
    return { space, status: await this.status(corpus, space) };
  }

  /** ingestion: the status of a corpus's ingestion into a model's space, by names. */
  async statusByName(corpusName: string, modelName: string, spaceName: string): Promise<IngestionStatus> {
    return this.status(corpusName, await this.spaceService.byName(modelName, spaceName));
  }

  /** cancelIngestion: cancels, on the job queue, the unfinished jobs of a corpus's ingestion into a model's space (stored vectors stay). */
  async cancelByName(corpusName: string, modelName: string, spaceName: string): Promise<IngestionStatus> {
    const space = await this.spaceService.byName(modelName, spaceName);
    const corpus = await this.corpora.findByName(corpusName);
    if (!corpus) throw new NotFoundError(`no corpus named "${corpusName}"`);
    await this.queue.start();
    await this.queue.cancel(PROJECT_DOCUMENTS, await this.jobs.unfinishedIngestionJobs(corpus.id, space.id));
    return this.status(corpusName, space);
  }

  private finalizing: Promise<unknown> = Promise.resolve();

  /** Progress, job states, rate and ETA, and whether the space's index exists. */
  async status(corpusName: string, space: ProjectionSpaceRecord): Promise<IngestionStatus> {
    const corpus = await this.corpora.findByName(corpusName);
    if (!corpus) throw new NotFoundError(`no corpus named "${corpusName}"`);
    const [progress, jobs, indexed, recent] = await Promise.all([
      this.progress(corpus.id, space.id),
      this.jobs.ingestionStates(corpus.id, space.id),
      this.indexes.hasSketchIndex(space.id),
      this.rates.recentInstants(corpus.id, space.id, RATE_WINDOW.seconds, RATE_WINDOW.instants),
    ]);
    const running = jobs.created + jobs.retry + jobs.active > 0;
    const last = recent.instants.length ? Math.max(...recent.instants.map((i) => i.at)) : recent.asOf;
    const rate = progressRate(recent.instants, running ? recent.asOf : last);
    return {
      ...progress,
      corpusId: corpus.id,
      spaceId: space.id,
      jobs,
      indexed,
      documentsPerSecond: rate?.itemsPerSecond ?? null,
      tokensPerSecond: rate?.tokensPerSecond ?? null,
      etaSeconds: running ? etaSeconds(progress.total - progress.projected, rate?.itemsPerSecond ?? null) : null,
    };
  }

  /**
   * Sends the jobs to `queue`; returns how many batches there are and how many were new. For
   * processes that run their own worker on a queue of their own (`tracebase ingest`, the demo);
   * GraphQL's startIngestion goes through {@link startIngestion} and the injected queue.
   */
  async enqueue(
    queue: JobQueue,
    corpusName: string,
    space: ProjectionSpaceRecord,
    batchSize: number,
  ): Promise<{ batches: number; sent: number; corpusId: number }> {
    assertBatchSize(batchSize);
    await queue.start();
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
    const [projected, total] = await Promise.all([this.documents.countProjected(corpusId, spaceId), this.documents.countInCorpus(corpusId)]);
    return { projected, total };
  }

  /**
   * Indexes the space's loaded vectors: fits its whitened search basis if it has none and can
   * have one ({@link SEARCH_WHITENING}), stores the whitened sketch of every document that lacks
   * one, then builds (if missing) the HNSW indexes — on the whitened sketches when the space has
   * a basis, else on the raw ones — and the normalised one, then ANALYZE. Runs of this process
   * are serialised (a worker's sweep and an explicit finalize never build side by side).
   */
  finalize(space: ProjectionSpaceRecord): Promise<string> {
    const run = this.finalizing.then(async () => {
      const whitening = await this.ensureSearchWhitening(space);
      if (whitening) await this.fillSearchSketches(space.id, whitening);
      return this.indexes.ensureSketchIndex(space.id, space.sketchDims, { whitened: whitening !== null });
    });
    this.finalizing = run.catch(() => undefined);
    return run;
  }

  /** The space's whitening: the stored one, a newly fitted one, or null when the space cannot have one (yet). */
  private async ensureSearchWhitening(space: ProjectionSpaceRecord): Promise<SearchWhitening | null> {
    const stored = await this.spaces.searchWhitening(space.id);
    if (stored) return decodeSearchWhitening(stored);
    if (space.sketchDims > SEARCH_WHITENING.maxDims) return null;
    // a space indexed on raw sketches stays so: its whitened sketches would need the graph rebuilt
    if (await this.indexes.hasSketchIndex(space.id)) return null;
    const sample = await this.indexes.sampleSketches(space.id, SEARCH_WHITENING.sampleSize);
    if (sample.length < 2 * space.sketchDims) return null;
    const fitted = fitSearchWhitening(sample);
    return decodeSearchWhitening(await this.spaces.setSearchWhiteningOnce(space.id, encodeSearchWhitening(fitted)));
  }

  /** Stores T·sketch for every document of the space that has a sketch and no whitened sketch. */
  private async fillSearchSketches(spaceId: number, whitening: SearchWhitening): Promise<number> {
    let afterId = 0;
    let filled = 0;
    for (;;) {
      const rows = await this.indexes.sketchesWithoutSearchSketch(spaceId, afterId, SEARCH_WHITENING.fillBatch);
      if (rows.length === 0) return filled;
      const vectors = whitenDocuments(
        whitening,
        rows.map((r) => r.sketch),
      );
      filled += await this.indexes.setSearchSketches(
        spaceId,
        rows.map((r, i) => ({ documentId: r.documentId, vector: vectors[i]! })),
      );
      afterId = rows[rows.length - 1]!.documentId;
    }
  }

  /**
   * Finalizes every space whose ingestion has finished (all its project-documents jobs done)
   * and which holds vectors but no HNSW index yet, or whose whitened sketches are incomplete
   * (documents stored after the indexing): what workers run after their batches, so an
   * ingestion started through the API ends indexed and analysed like `tracebase ingest`. Once
   * built, an index is maintained by Postgres on later inserts and updates. Returns the spaces it
   * finalized.
   */
  async finalizeFinished(): Promise<number[]> {
    const indexed: number[] = [];
    for (const spaceId of await this.jobs.spacesWithFinishedIngestion()) {
      const alreadyIndexed = await this.indexes.hasSketchIndex(spaceId);
      // an indexed space is finalized again only to whiten documents stored after its indexing
      if (alreadyIndexed && !((await this.spaces.hasSearchWhitening(spaceId)) && (await this.indexes.hasMissingSearchSketches(spaceId)))) continue;
      if (!(await this.projections.hasAny(spaceId))) continue;
      const space = await this.spaces.findById(spaceId);
      if (!space) continue;
      await this.finalize(space);
      indexed.push(spaceId);
    }
    return indexed;
  }
}

/** Refuses a batch size outside 1 to 1000 documents per job. */
function assertBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000)
    throw new InvalidInputError(`batch size must be 1..1000, got ${batchSize}`, { argument: 'batchSize' });
}
