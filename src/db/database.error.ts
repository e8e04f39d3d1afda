import { TracebaseError } from '../errors/tracebase.error';

/** The database server cannot be reached or refuses the connection. */
export class DatabaseUnreachableError extends TracebaseError {
  constructor(message: string) {
    super('DATABASE_UNAVAILABLE', message);
  }
}

/** The database lacks something Tracebase needs (the pgvector extension, its migrations). */
export class DatabaseNotReadyError extends TracebaseError {
  constructor(message: string) {
    super('DATABASE_NOT_READY', message);
  }
}

/** A migration file differs from the one applied, or a previous migration failed. */
export class MigrationError extends TracebaseError {
  constructor(
    message: string,
    readonly migration: string,
  ) {
    super('MIGRATION_FAILED', message, { migration });
  }
}

/**
 * Whether `error` says the database this process opened was closed meanwhile (node-postgres: the
 * pool was ended; PGlite: the instance was closed): what a background task still scheduled
 * against a database its owner closed meets. Such a task should stop, not report.
 */
export function isClosedDatabaseError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Cannot use a pool after calling end on the pool|PGlite is closed/i.test(message);
}
