import type { Database, DatabaseKind } from '../db/database.types';
import { applyMigrations, migrationStatus } from '../db/migration-runner';
import { DatabaseInfoRepository } from '../repositories/database-info.repository';

/** What `tracebase db status` reports: the back-end, its versions and the migrations' state. */
export interface DatabaseStatusReport {
  readonly database: DatabaseKind;
  readonly target: string;
  readonly serverVersion: string;
  /** pgvector's version, or null when the extension is not installed in this database. */
  readonly vectorExtension: string | null;
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  /** Applied migrations whose file changed since. */
  readonly changed: readonly string[];
  /** Applied migrations this code does not know. */
  readonly unknown: readonly string[];
  /** Migrations started and never finished. */
  readonly failed: readonly string[];
}

/**
 * The database's own upkeep, for `tracebase migrate` and `tracebase db status`: applying the
 * pending migrations and reporting where the schema stands. Works on a database that has no
 * Tracebase tables yet (unlike the other services).
 */
export class DatabaseStatusService {
  constructor(private readonly database: Database) {}

  /** Applies the pending migrations in order (each in a transaction); returns their names. */
  migrate(): Promise<string[]> {
    return applyMigrations(this.database.sql);
  }

  async status(): Promise<DatabaseStatusReport> {
    const [info, status] = await Promise.all([new DatabaseInfoRepository(this.database.sql).serverInfo(), migrationStatus(this.database.sql)]);
    return {
      database: this.database.kind,
      target: this.database.target,
      serverVersion: info.serverVersion,
      vectorExtension: info.vectorVersion,
      applied: status.applied.map((m) => m.name),
      pending: status.pending,
      changed: status.changed,
      unknown: status.unknown,
      failed: status.failed,
    };
  }
}
