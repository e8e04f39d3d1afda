import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { type ProjectDocumentsJob, PROJECT_DOCUMENTS } from '../jobs/job-names';
import type { JobQueue } from '../jobs/job-queue';
import type { CorpusRepository } from '../repositories/corpus.repository';
import type { DocumentProjectionRecord, DocumentProjectionRepository } from '../repositories/document-projection.repository';
import type { DocumentRepository } from '../repositories/document.repository';
import type { IngestionRateRepository } from '../repositories/ingestion-rate.repository';
import type { JobRepository, JobStateCounts } from '../repositories/job.repository';
import { etaSeconds, progressRate } from '../math/progress-rate';
import type { ProjectionSpaceRecord, ProjectionSpaceRepository } from '../repositories/projection-space.repository';

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
 * Ingestion of a corpus into a projection space: the corpus is cut into batches of document ids,
 * one project-documents job each (deterministic job ids: starting again sends only what is
 * missing), and the space's HNSW index is built once the vectors are loaded.
 */
export class IngestionService {
  constructor(
    private readonly corpora: CorpusRepository,
    private readonly documents: DocumentRepository,
    private readonly projections: DocumentProjectionRepository,
    private readonly jobs: JobRepository,
    private readonly rates: IngestionRateRepository,
    private readonly spaces: ProjectionSpaceRepository,
  ) {}

  private finalizing: Promise<unknown> = Promise.resolve();

  /** Progress, job states, rate and ETA, and whether the space's index exists. */
  async status(corpusName: string, space: ProjectionSpaceRecord): Promise<IngestionStatus> {
    const corpus = await this.corpora.findByName(corpusName);
    if (!corpus) throw new NotFoundError(`no corpus named "${corpusName}"`);
    const [progress, jobs, indexed, recent] = await Promise.all([
      this.progress(corpus.id, space.id),
      this.jobs.ingestionStates(corpus.id, space.id),
      this.projections.hasSketchIndex(space.id),
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

  /** Cancels the ingestion's unfinished jobs; vectors already stored stay. */
  async cancel(queue: JobQueue, corpusName: string, space: ProjectionSpaceRecord): Promise<IngestionStatus> {
    const corpus = await this.corpora.findByName(corpusName);
    if (!corpus) throw new NotFoundError(`no corpus named "${corpusName}"`);
    await queue.start();
    await queue.cancel(PROJECT_DOCUMENTS, await this.jobs.unfinishedIngestionJobs(corpus.id, space.id));
    return this.status(corpusName, space);
  }

  /** Sends the jobs; returns how many batches there are and how many were new. */
  async enqueue(queue: JobQueue, corpusName: string, space: ProjectionSpaceRecord, batchSize: number): Promise<{ batches: number; sent: number; corpusId: number }> {
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) throw new InvalidInputError(`batch size must be 1..1000, got ${batchSize}`);
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
    const [projected, total] = await Promise.all([
      this.documents.countProjected(corpusId, spaceId),
      this.documents.countInCorpus(corpusId),
    ]);
    return { projected, total };
  }

  /**
   * Builds (if missing) the space's HNSW index on the loaded sketches, then ANALYZE. Index
   * builds of this process run one at a time (a worker's sweep and an explicit finalize never
   * build the same index side by side).
   */
  finalize(space: ProjectionSpaceRecord): Promise<string> {
    const run = this.finalizing.then(() => this.projections.ensureSketchIndex(space.id, space.sketchDims));
    this.finalizing = run.catch(() => undefined);
    return run;
  }

  /**
   * Finalizes every space whose ingestion has finished (all its project-documents jobs done)
   * and which holds vectors but no HNSW index yet: what workers run after their batches, so an
   * ingestion started through the API ends indexed and analysed like `tracebase ingest`. Once
   * built, an index is maintained by Postgres on later inserts. Returns the spaces it indexed.
   */
  async finalizeFinished(): Promise<number[]> {
    const indexed: number[] = [];
    for (const spaceId of await this.jobs.spacesWithFinishedIngestion()) {
      if (await this.projections.hasSketchIndex(spaceId)) continue;
      if (!(await this.projections.hasAny(spaceId))) continue;
      const space = await this.spaces.findById(spaceId);
      if (!space) continue;
      await this.finalize(space);
      indexed.push(spaceId);
    }
    return indexed;
  }
}
