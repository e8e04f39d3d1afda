import type { SqlClient } from '../db/database.types';

/** What the server says about itself. */
export interface DatabaseServerInfo {
  /** e.g. `15.20` or `17.5`. */
  readonly serverVersion: string;
  /** Installed pgvector version in this database, or null when the extension is absent. */
  readonly vectorVersion: string | null;
  readonly databaseName: string;
}

/** Reads server facts (versions, extensions) with plain SQL. */
export class DatabaseInfoRepository {
  constructor(private readonly sql: SqlClient) {}

  async serverInfo(): Promise<DatabaseServerInfo> {
    const [row] = await this.sql.query<{ server_version: string; vector_version: string | null; db: string }>(
      `SELECT current_setting('server_version') AS server_version,
              (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector_version,
              current_database() AS db`,
    );
    return {
      serverVersion: String(row!.server_version).split(' ')[0]!,
      vectorVersion: row!.vector_version ?? null,
      databaseName: row!.db,
    };
  }
}
