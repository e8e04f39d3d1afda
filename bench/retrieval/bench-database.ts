/**
 * The benchmark's database: a fresh one on the DATABASE_URL server (dropped at the end unless
 * kept), or one kept by an earlier run (`--reuse URL`). Opened as the platform opens it
 * (`openDatabase`: the product's connection pool) and migrated.
 */
import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { openDatabase } from '../../src/db/database.factory';
import type { Database } from '../../src/db/database.types';
import { applyMigrations } from '../../src/db/migration-runner';

export interface BenchDatabase {
  readonly db: Database;
  readonly url: string;
  /** True when this run created it. */
  readonly created: boolean;
  /** Closes it, and drops it when this run created it and `keep` is false. */
  close(keep: boolean): Promise<void>;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function openBenchDatabase(adminUrl: string, reuseUrl: string | undefined): Promise<BenchDatabase> {
  if (reuseUrl) {
    const db = await openDatabase({ databaseUrl: reuseUrl, dataDir: '' });
    await applyMigrations(db.sql);
    return { db, url: reuseUrl, created: false, close: () => db.close() };
  }
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const name = `tracebase_bench_retrieval_${stamp}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // template1 carries the vector extension where scripts/setup-postgres.sh prepared the server
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template1`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(adminUrl, name);
  const drop = async () => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  let db: Database;
  try {
    db = await openDatabase({ databaseUrl: url, dataDir: '' });
    await applyMigrations(db.sql);
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    db,
    url,
    created: true,
    async close(keep: boolean) {
      await db.close();
      if (!keep) await drop();
    },
  };
}
