import type { TracebaseConfig } from '../config/config';
import type { Database } from './database.types';
import { openPgliteDatabase } from './pglite.database';
import { openPostgresDatabase } from './postgres.database';

/**
 * The one way to open Tracebase's database: a Postgres + pgvector server when `databaseUrl`
 * is set, embedded PGlite in `dataDir` otherwise.
 */
export function openDatabase(config: Pick<TracebaseConfig, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  return config.databaseUrl ? openPostgresDatabase({ url: config.databaseUrl }) : openPgliteDatabase(config.dataDir);
}
