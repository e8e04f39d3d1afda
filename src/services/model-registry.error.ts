import { TracebaseError } from '../errors/tracebase.error';

/** A model name already registered for other weights or settings. */
export class ModelConflictError extends TracebaseError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** A model directory whose content no longer matches the hash it was registered with. */
export class ModelChangedError extends TracebaseError {
  constructor(message: string) {
    super('PROVENANCE_MISMATCH', message);
  }
}
