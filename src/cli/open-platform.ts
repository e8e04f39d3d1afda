import type { TracebaseConfig } from '../config/config';
import { openDatabase } from '../db/database.factory';
import type { Database } from '../db/database.types';
import { assertMigrated } from '../db/migration-runner';
import { createServices, type Services } from '../services/service-container';

/**
 * Opens the database, checks it is migrated, runs `fn` with the services, and closes the
 * database whatever happens: the frame of every command that works on stored data.
 */
export async function withPlatform<T>(config: TracebaseConfig, fn: (services: Services, db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  try {
    await assertMigrated(db.sql);
    return await fn(createServices(db), db);
  } finally {
    await db.close();
  }
}
