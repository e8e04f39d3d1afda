import { mkdirSync } from 'node:fs';

import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPGlite } from 'pglite-prisma-adapter';

import { PrismaClient } from '../generated/prisma/client';
import { lockDataDir } from './data-dir.lock';
import { DatabaseUnreachableError } from './database.error';
import type { Database, SqlClient, TransactionalSqlClient } from './database.types';
import { assertChannelName } from './notification-channel';

/** In-memory PGlite (tests, throw-away runs). */
export const IN_MEMORY = 'memory://';

function clientOf(q: PGlite | Transaction): SqlClient {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await q.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(script: string): Promise<void> {
      await q.exec(script);
    },
  };
}

/**
 * Opens embedded PGlite (Postgres compiled to WebAssembly, in this process) with the pgvector
 * extension, persisted in `dataDir` (created if missing), or in memory for {@link IN_MEMORY}.
 */
export async function openPgliteDatabase(dataDir: string): Promise<Database> {
  const inMemory = dataDir === IN_MEMORY;
  let db: PGlite;
  let unlock = () => {};
  try {
    if (!inMemory) {
      mkdirSync(dataDir, { recursive: true });
      unlock = lockDataDir(dataDir);
    }
    db = await PGlite.create(inMemory ? undefined : dataDir, { extensions: { vector } });
  } catch (error) {
    unlock();
    if (error instanceof DatabaseUnreachableError) throw error;
    throw new DatabaseUnreachableError(
      `cannot open the embedded PGlite database in ${dataDir}: ${(error as Error).message} ` +
        '(set TRACEBASE_DATA_DIR to another directory, or remove a damaged one)',
    );
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const sql: TransactionalSqlClient = {
    ...clientOf(db),
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(clientOf(tx)));
    },
  };
  return {
    kind: 'pglite',
    target: inMemory ? 'embedded PGlite in memory' : `embedded PGlite at ${dataDir}`,
    prisma,
    sql,
    async listen(channel, handler) {
      assertChannelName(channel);
      const unlisten = await db.listen(channel, handler);
      return async () => {
        if (!db.closed) await unlisten();
      };
    },
    async tryAdvisoryLock(namespace, key) {
      const [row] = await sql.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [namespace, key]);
      if (!row?.ok) return null;
      return {
        namespace,
        key,
        async release() {
          if (!db.closed) await sql.query('SELECT pg_advisory_unlock($1::int, $2::int)', [namespace, key]);
        },
      };
    },
    async close() {
      await prisma.$disconnect().catch(() => undefined);
      if (!db.closed) await db.close();
      unlock();
    },
  };
}
