import type { PrismaClient } from '../generated/prisma/client';
import type { NotificationHandler, Unlisten } from './notification-channel';

/** The two back-ends Tracebase runs on. */
export type DatabaseKind = 'postgres' | 'pglite';

/**
 * Plain SQL access shared by both back-ends. Only repositories and the migration runner use
 * it. Parameters are always bound (`$1`, `$2`...), never interpolated.
 */
export interface SqlClient {
  /** Runs one statement with bound parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations, DDL). */
  exec(script: string): Promise<void>;
}

/** A SqlClient that can also open a transaction; `fn` runs on a client bound to it. */
export interface TransactionalSqlClient extends SqlClient {
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/**
 * A session-level advisory lock (`pg_try_advisory_lock(namespace, key)`, two int4 keys) this
 * process holds until it releases it or dies: visible to every session in `pg_locks`.
 */
export interface SessionLock {
  readonly namespace: number;
  readonly key: number;
  /** Releases the lock (on Postgres: ends its dedicated connection). */
  release(): Promise<void>;
}

/** An open connection to Tracebase's database, through Prisma and through plain SQL. */
export interface Database {
  readonly kind: DatabaseKind;
  /** Human-readable location, without credentials. */
  readonly target: string;
  readonly prisma: PrismaClient;
  readonly sql: TransactionalSqlClient;
  /**
   * Subscribes to a LISTEN/NOTIFY channel: `handler` gets the payload of every `pg_notify` on it
   * from any connection (on Postgres, any process on any machine) until the returned function
   * is called. Delivery is best effort (a lost connection misses what is sent meanwhile).
   */
  listen(channel: string, handler: NotificationHandler): Promise<Unlisten>;
  /**
   * Takes the session-level advisory lock (namespace, key) for as long as this process lives or
   * until released: on Postgres on a dedicated connection outside the pool (retaken if that
   * connection is lost), on PGlite in its one session. Resolves null when another session holds it.
   */
  tryAdvisoryLock(namespace: number, key: number): Promise<SessionLock | null>;
  close(): Promise<void>;
}
