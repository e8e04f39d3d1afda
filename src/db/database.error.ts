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
