import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient } from 'pg';

import { PrismaClient } from '../generated/prisma/client';
import { DatabaseUnreachableError } from './database.error';
import type { Database, SessionLock, SqlClient, TransactionalSqlClient } from './database.types';
import { PostgresListener } from './postgres-listener';
import { PostgresSessionLock } from './postgres-session-lock';

/** Options of a connection pool to a Postgres server. */
export interface PostgresOptions {
  readonly url: string;
  /** Most connections the pool opens (shared by Prisma and plain SQL). */
  readonly maxConnections?: number;
}

function clientOf(q: Pool | PoolClient): SqlClient {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await q.query(sql, params as unknown[]);
      return result.rows as Row[];
    },
    async exec(script: string): Promise<void> {
      await q.query(script);
    },
  };
}

/** Describes a postgresql:// URL as host:port/database, without the password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Turns a connection failure into an error that says what is wrong and how to fix it. */
export function explainConnectionError(error: unknown, url: string): DatabaseUnreachableError {
  const where = describePostgresUrl(url);
  const err = error as { code?: string; message?: string };
  const reason = err.message ?? String(error);
  let hint = 'check DATABASE_URL';
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'ETIMEDOUT') {
    hint = 'is the server running? scripts/setup-postgres.sh starts and prepares a local one, or unset DATABASE_URL to use embedded PGlite';
  } else if (err.code === '28P01' || err.code === '28000') {
    hint = 'the user name or password in DATABASE_URL is wrong';
  } else if (err.code === '3D000') {
    hint = 'the database in DATABASE_URL does not exist; scripts/setup-postgres.sh creates it';
  }
  return new DatabaseUnreachableError(`cannot connect to Postgres at ${where}: ${reason} (${hint})`);
}

/**
 * Opens a pool to a Postgres + pgvector server and checks that it answers. Throws
 * {@link DatabaseUnreachableError} when it does not.
 */
export async function openPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    application_name: 'tracebase',
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw explainConnectionError(error, options.url);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const base = clientOf(pool);
  const sql: TransactionalSqlClient = {
    ...base,
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(clientOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
  const listener = new PostgresListener(options.url);
  const locks = new Set<SessionLock>();
  return {
    kind: 'postgres',
    target: `Postgres at ${describePostgresUrl(options.url)}`,
    prisma,
    sql,
    listen: (channel, handler) => listener.listen(channel, handler),
    async tryAdvisoryLock(namespace, key) {
      const lock = await PostgresSessionLock.tryTake(options.url, namespace, key);
      if (!lock) return null;
      locks.add(lock);
      return {
        namespace,
        key,
        release: async () => {
          locks.delete(lock);
          await lock.release();
        },
      };
    },
    async close() {
      await Promise.all([...locks].map((l) => l.release()));
      locks.clear();
      await listener.close();
      await prisma.$disconnect().catch(() => undefined);
      await pool.end();
    },
  };
}
