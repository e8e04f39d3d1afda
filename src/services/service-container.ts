import type { Database } from '../db/database.types';
import { CorpusRepository } from '../repositories/corpus.repository';
import { DatabaseInfoRepository } from '../repositories/database-info.repository';
import { DocumentRepository } from '../repositories/document.repository';
import { MigrationHistoryRepository } from '../repositories/migration-history.repository';
import { ModelRepository } from '../repositories/model.repository';
import { CorpusImportService } from './corpus-import.service';
import { HealthService } from './health.service';
import { ModelRegistryService } from './model-registry.service';

/** Every service of one process, wired to one database. Resolvers and the worker use these. */
export interface Services {
  readonly health: HealthService;
  readonly corpusImport: CorpusImportService;
  readonly modelRegistry: ModelRegistryService;
}

/** Wires repositories to services for one open database. */
export function createServices(database: Database): Services {
  return {
    health: new HealthService(
      database,
      new DatabaseInfoRepository(database.sql),
      new MigrationHistoryRepository(database.sql),
    ),
    corpusImport: new CorpusImportService(new CorpusRepository(database.prisma), new DocumentRepository(database.sql)),
    modelRegistry: new ModelRegistryService(new ModelRepository(database.prisma)),
  };
}
