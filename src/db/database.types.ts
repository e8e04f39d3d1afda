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
  close(): Promise<void>;
}
