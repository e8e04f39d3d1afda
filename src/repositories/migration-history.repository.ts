import type { SqlClient } from '../db/database.types';
import { migrationStatus, type MigrationStatus } from '../db/migration-runner';
import { DEFAULT_MIGRATIONS_DIR } from '../db/migration-files';

/** Reads the applied-migrations history (`_prisma_migrations`) against the migrations directory. */
export class MigrationHistoryRepository {
  constructor(
    private readonly sql: SqlClient,
    private readonly dir: string = DEFAULT_MIGRATIONS_DIR,
  ) {}

  status(): Promise<MigrationStatus> {
    return migrationStatus(this.sql, this.dir);
  }
}
