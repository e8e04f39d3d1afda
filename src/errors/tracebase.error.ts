/**
 * Base class of every error Tracebase raises on purpose. `code` is a stable machine-readable
 * identifier (also used as GraphQL `extensions.code`); `message` says what is wrong and,
 * where it can, how to fix it.
 */
export class TracebaseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that does not meet its contract (a bad argument, file, line or field). */
export class InvalidInputError extends TracebaseError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('BAD_USER_INPUT', message, details);
  }
}

/** A referenced entity that does not exist. */
export class NotFoundError extends TracebaseError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('NOT_FOUND', message, details);
  }
}
