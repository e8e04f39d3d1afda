import type { EngineSettings } from '../engine/gpt2-gradient.engine';
import { COMPUTE_QUERY_GRADIENTS, type ComputeQueryGradientsJob, type ProjectDocumentsJob, PROJECT_DOCUMENTS, SCORE_CORPUS, type ScoreCorpusJob } from '../jobs/job-names';
import type { JobQueue } from '../jobs/job-queue';
import type { Services } from '../services/service-container';
import { ProjectDocumentsHandler, type ProjectDocumentsResult } from './project-documents.handler';
import { QueryGradientsHandler } from './query-gradients.handler';
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
}

/**
 * Subscribes this process to the work queues: the worker is its own entry point and reuses the
 * services, never GraphQL. Many worker processes (on many machines) share one Postgres.
 */
export async function startWorker(queue: JobQueue, services: Services, options: WorkerOptions): Promise<void> {
  const handler = new ProjectDocumentsHandler(services.projectionSpaces, services.documents, services.ingestion, options.engine, options.tokenBudget);
  await queue.work<ProjectDocumentsJob>(PROJECT_DOCUMENTS, options.concurrency, async (job) => {
    const result = await handler.handle(job);
    options.onBatch?.(result);
    return result;
  });
  // query computations and whole-corpus scoring: one job at a time each
  const queryGradients = new QueryGradientsHandler(services.queryGradients);
  await queue.work<ComputeQueryGradientsJob>(COMPUTE_QUERY_GRADIENTS, 1, (job) => queryGradients.handle(job));
  const scoreCorpus = new ScoreCorpusHandler(services.corpusScoring);
  await queue.work<ScoreCorpusJob>(SCORE_CORPUS, 1, (job) => scoreCorpus.handle(job));
}
