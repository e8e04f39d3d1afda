import type { Database } from '../db/database.types';
import { ApiTokenRepository } from '../repositories/api-token.repository';
import { CorpusRepository } from '../repositories/corpus.repository';
import { DatabaseInfoRepository } from '../repositories/database-info.repository';
import { DocumentProjectionAnalyticsRepository } from '../repositories/document-projections/document-projection-analytics.repository';
import { DocumentProjectionIndexRepository } from '../repositories/document-projections/document-projection-index.repository';
import { DocumentProjectionSearchRepository } from '../repositories/document-projections/document-projection-search.repository';
import { DocumentProjectionWriteRepository } from '../repositories/document-projections/document-projection-write.repository';
import { DocumentRepository } from '../repositories/document.repository';
import { DocumentLabelRepository } from '../repositories/document-label.repository';
import { MigrationHistoryRepository } from '../repositories/migration-history.repository';
import { ModelRepository } from '../repositories/model.repository';
import { ProjectionSpaceRepository } from '../repositories/projection-space.repository';
import { FactorSetRepository } from '../repositories/factor-set.repository';
import { QueryRepository } from '../repositories/query.repository';
import { QueryVectorRepository } from '../repositories/query-vector.repository';
import { InfluenceScoreRepository } from '../repositories/influence-score.repository';
import { JobRepository } from '../repositories/job.repository';
import { IngestionRateRepository } from '../repositories/ingestion-rate.repository';
import { JobQueue } from '../jobs/job-queue';
import { PgBossTables } from '../jobs/pg-boss-tables.adapter';
import { CorpusScoringService } from './corpus-scoring.service';
import { EngineCache } from './engine-cache';
import { ExactInfluenceService } from './exact-influence.service';
import { FactorSetService } from './factor-set.service';
import { InfluenceAnalysisService } from './influence-analysis.service';
import { InfluenceSearchService } from './influence-search.service';
import { QueryGradientService } from './query-gradient.service';
import { QueryService } from './query.service';
import { AuthService } from './auth.service';
import { CorpusImportService } from './corpus-import.service';
import { CorpusService } from './corpus.service';
import { DocumentService } from './document.service';
import { HealthService } from './health.service';
import { IngestionService } from './ingestion.service';
import { JobProgressService } from './job-progress.service';
import { JobService } from './job.service';
import { ModelAnswerService } from './model-answer.service';
import { ModelRegistryService } from './model-registry.service';
import { ProjectionSpaceService } from './projection-space.service';

/** Every service of one process, wired to one database. Resolvers and the worker use these. */
export interface Services {
  readonly health: HealthService;
  readonly corpusImport: CorpusImportService;
  readonly modelRegistry: ModelRegistryService;
  readonly auth: AuthService;
  readonly corpora: CorpusService;
  readonly documents: DocumentService;
  readonly projectionSpaces: ProjectionSpaceService;
  readonly ingestion: IngestionService;
  readonly factorSets: FactorSetService;
  readonly queries: QueryService;
  readonly queryGradients: QueryGradientService;
  readonly influenceSearch: InfluenceSearchService;
  readonly influenceAnalysis: InfluenceAnalysisService;
  readonly exactInfluence: ExactInfluenceService;
  /** Whole-corpus scores of queries, cached by score-corpus jobs. */
  readonly corpusScoring: CorpusScoringService;
  /** The job queue on this database (started on first use). */
  readonly jobQueue: JobQueue;
  /** Jobs of the queue, as reported to users. */
  readonly jobs: JobService;
  /** Live progress of ingestions and jobs (subscriptions). */
  readonly jobProgress: JobProgressService;
}

/** What a process may hand the services instead of what {@link createServices} makes itself. */
export interface ServiceOptions {
  /** The job queue the services send their jobs to (default: a new one on the database). */
  readonly jobQueue?: JobQueue;
}

/** Wires repositories to services for one open database. */
export function createServices(database: Database, options: ServiceOptions = {}): Services {
  // made first: the services that queue jobs are given it
  const jobQueue = options.jobQueue ?? new JobQueue(database);
  const corpusRepository = new CorpusRepository(database.prisma);
  const documentRepository = new DocumentRepository(database.sql);
  // node-postgres sends Buffer parameters in binary: vectors then need no decimal text
  const projectionRepository = new DocumentProjectionWriteRepository(database.sql, undefined, database.kind === 'postgres' ? 'binary' : 'text');
  const modelRegistry = new ModelRegistryService(new ModelRepository(database.prisma));
  const factorSetRepository = new FactorSetRepository(database.prisma);
  const projectionSpaceRepository = new ProjectionSpaceRepository(database.prisma);
  const influenceScoreRepository = new InfluenceScoreRepository(database.sql);
  const factorSets = new FactorSetService(factorSetRepository, modelRegistry);
  const projectionSpaces = new ProjectionSpaceService(projectionSpaceRepository, modelRegistry, factorSets);
  const queryRepository = new QueryRepository(database.prisma);
  const queryVectors = new QueryVectorRepository(database.sql);
  const engines = new EngineCache();
  const jobRepository = new JobRepository(new PgBossTables(database));
  const ingestion = new IngestionService(
    corpusRepository,
    documentRepository,
    projectionRepository,
    new DocumentProjectionIndexRepository(database.sql),
    jobRepository,
    new IngestionRateRepository(database.sql),
    projectionSpaceRepository,
    projectionSpaces,
    jobQueue,
  );
  const jobs = new JobService(jobRepository);
  const exactInfluence = new ExactInfluenceService(
    queryRepository,
    documentRepository,
    influenceScoreRepository,
    factorSets,
    projectionSpaces,
    engines,
    queryVectors,
  );
  const queryGradients = new QueryGradientService(queryRepository, queryVectors, factorSets, projectionSpaces, engines, new ModelAnswerService());
  return {
    health: new HealthService(database, new DatabaseInfoRepository(database.sql), new MigrationHistoryRepository(database.sql)),
    corpusImport: new CorpusImportService(corpusRepository, documentRepository),
    modelRegistry,
    auth: new AuthService(new ApiTokenRepository(database.prisma)),
    corpora: new CorpusService(corpusRepository),
    documents: new DocumentService(documentRepository),
    projectionSpaces,
    ingestion,
    factorSets,
    queries: new QueryService(queryRepository, modelRegistry, factorSets, projectionSpaces, queryGradients, jobQueue),
    queryGradients,
    influenceSearch: new InfluenceSearchService(
      queryVectors,
      new DocumentProjectionSearchRepository(database.sql),
      projectionRepository,
      factorSets,
      projectionSpaces,
      exactInfluence,
      queryRepository,
      documentRepository,
    ),
    influenceAnalysis: new InfluenceAnalysisService(
      queryRepository,
      queryVectors,
      new DocumentProjectionAnalyticsRepository(database.sql),
      documentRepository,
      projectionSpaceRepository,
      factorSetRepository,
      influenceScoreRepository,
      new DocumentLabelRepository(database.prisma),
    ),
    exactInfluence,
    corpusScoring: new CorpusScoringService(
      queryRepository,
      queryVectors,
      influenceScoreRepository,
      projectionSpaceRepository,
      factorSets,
      exactInfluence,
      jobQueue,
    ),
    jobQueue,
    jobs,
    jobProgress: new JobProgressService(ingestion, jobs),
  };
}
