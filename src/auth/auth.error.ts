import { TracebaseError } from '../errors/tracebase.error';

/** No valid credentials were presented. */
export class UnauthenticatedError extends TracebaseError {
  constructor(message = 'authentication required: send `Authorization: Bearer <token>` (tracebase token create)') {
    super('UNAUTHENTICATED', message);
  }
}

/** The credentials are valid but their role may not do this. */
export class ForbiddenError extends TracebaseError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}
