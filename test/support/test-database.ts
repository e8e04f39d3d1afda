import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import type { Database, DatabaseKind } from '../../src/db/database.types';
import { IN_MEMORY, openPgliteDatabase } from '../../src/db/pglite.database';
import { openPostgresDatabase } from '../../src/db/postgres.database';

/**
 * The back-ends database tests run on: PGlite always, a real Postgres + pgvector server too
 * when DATABASE_URL is set (the same test files run on both).
 */
export function testBackends(): DatabaseKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A throw-away database: in-memory PGlite, or a fresh database on the Postgres server. */
export interface ScratchDatabase {
  readonly db: Database;
  /** postgresql:// URL of the scratch database (Postgres only). */
  readonly url?: string;
  drop(): Promise<void>;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creates an empty scratch database on `kind`. On Postgres it is created from `template`
 * (template1 carries the vector extension when scripts/setup-postgres.sh prepared the server;
 * template0 has no extensions at all) and dropped by `drop()`.
 */
export async function createScratchDatabase(kind: DatabaseKind, options: { template?: 'template1' | 'template0' } = {}): Promise<ScratchDatabase> {
  if (kind === 'pglite') {
    const db = await openPgliteDatabase(IN_MEMORY);
    return { db, drop: () => db.close() };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set');
  const name = `tracebase_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE ${options.template ?? 'template1'}`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(adminUrl, name);
  const db = await openPostgresDatabase({ url, maxConnections: 4 });
  return {
    db,
    url,
    async drop() {
      await db.close();
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
