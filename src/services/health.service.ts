import type { DatabaseKind } from '../db/database.types';
import type { DatabaseInfoRepository } from '../repositories/database-info.repository';
import type { MigrationHistoryRepository } from '../repositories/migration-history.repository';
import { TRACEBASE_VERSION } from '../version';

/** A migration recorded as applied. */
export interface AppliedMigrationReport {
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date | null;
}

/** What `health` reports: which database, which versions, which migrations. */
export interface HealthReport {
  readonly database: DatabaseKind;
  readonly target: string;
  readonly serverVersion: string;
  /** pgvector version installed in the database (null: missing). */
  readonly vectorExtension: string | null;
  readonly migrations: AppliedMigrationReport[];
  readonly pendingMigrations: string[];
  readonly tracebaseVersion: string;
}

/** Reports the state of the platform's storage. */
export class HealthService {
  constructor(
    private readonly database: { kind: DatabaseKind; target: string },
    private readonly info: DatabaseInfoRepository,
    private readonly migrations: MigrationHistoryRepository,
  ) {}

  async health(): Promise<HealthReport> {
    const [server, status] = await Promise.all([this.info.serverInfo(), this.migrations.status()]);
    return {
      database: this.database.kind,
      target: this.database.target,
      serverVersion: server.serverVersion,
      vectorExtension: server.vectorVersion,
      migrations: status.applied.map((m) => ({ name: m.name, checksum: m.checksum, appliedAt: m.finishedAt })),
      pendingMigrations: status.pending,
      tracebaseVersion: TRACEBASE_VERSION,
    };
  }
}
