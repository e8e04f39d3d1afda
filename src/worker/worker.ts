import type { EngineSettings } from '../engine/gradient.engine';
import { type ComputeQueryGradientsJob, type ProjectDocumentsJob, type ScoreCorpusJob } from '../jobs/job-names';
import { COMPUTE_QUERY_GRADIENTS, PROJECT_DOCUMENTS, SCORE_CORPUS } from '../domain/queue-name';
import type { JobQueue } from '../jobs/job-queue';
import type { Services } from '../services/service-container';
import { ProjectDocumentsHandler, type ProjectDocumentsResult } from './project-documents.handler';
import { QueryGradientsHandler } from './query-gradients.handler';
import { FINALIZE_DELAY_MS, IngestionFinalizer } from './ingestion-finalizer';
import { ScoreCorpusHandler } from './score-corpus.handler';

/** Options of a worker process. */
export interface WorkerOptions {
  /** Jobs run at once in this process. */
  readonly concurrency: number;
  readonly engine?: Partial<EngineSettings>;
  /** Most padded positions B × T of one engine batch (default: the configuration's default). */
  readonly tokenBudget?: number;
  /** Called after each finished batch. */
  readonly onBatch?: (result: ProjectDocumentsResult) => void;
  /** Called when this worker's sweep has built the HNSW index of finished ingestions. */
  readonly onIndexed?: (spaceIds: number[]) => void;
}

/** A started worker. */
export interface WorkerHandle {
  /** Builds the indexes of finished ingestions (docs/design.md "Components and data flow"); runs by itself after batches. */
  readonly finalizer: IngestionFinalizer;
  /** Stops the finalizer's sweeps (stopping the queue does too; the queue is stopped by its owner). */
  stop(): Promise<void>;
}

/**
 * Subscribes this process to the work queues: the worker is its own entry point and reuses the
 * services, never GraphQL. Many worker processes (on many machines) share one Postgres. After
 * its batches a worker builds the HNSW index of every ingestion that has finished.
 */
export async function startWorker(queue: JobQueue, services: Services, options: WorkerOptions): Promise<WorkerHandle> {
  const handler = new ProjectDocumentsHandler(services.projectionSpaces, services.documents, services.ingestion, options.engine, options.tokenBudget);
  const finalizer = new IngestionFinalizer(services.ingestion, FINALIZE_DELAY_MS, options.onIndexed);
  // no sweep may start once the queue stops (its owner closes the database next)
  queue.onStop(() => finalizer.stop());
  await queue.work<ProjectDocumentsJob>(PROJECT_DOCUMENTS, options.concurrency, async (job) => {
    const result = await handler.handle(job);
    options.onBatch?.(result);
    finalizer.schedule();
    return result;
  });
  // query computations and whole-corpus scoring: one job at a time each
  const queryGradients = new QueryGradientsHandler(services.queryGradients);
  await queue.work<ComputeQueryGradientsJob>(COMPUTE_QUERY_GRADIENTS, 1, (job) => queryGradients.handle(job));
  const scoreCorpus = new ScoreCorpusHandler(services.corpusScoring);
  await queue.work<ScoreCorpusJob>(SCORE_CORPUS, 1, (job) => scoreCorpus.handle(job));
  // an ingestion whose last batch finished while no worker could sweep (killed in between)
  finalizer.schedule();
  return { finalizer, stop: () => finalizer.stop() };
}
