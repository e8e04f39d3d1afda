import type { Database } from '../db/database.types';
import { DatabaseInfoRepository } from '../repositories/database-info.repository';
import { MigrationHistoryRepository } from '../repositories/migration-history.repository';
import { HealthService } from './health.service';

/** Every service of one process, wired to one database. Resolvers and the worker use these. */
export interface Services {
  readonly health: HealthService;
}

/** Wires repositories to services for one open database. */
export function createServices(database: Database): Services {
  return {
    health: new HealthService(
      database,
      new DatabaseInfoRepository(database.sql),
      new MigrationHistoryRepository(database.sql),
    ),
  };
}
