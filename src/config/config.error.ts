import { TracebaseError } from '../errors/tracebase.error';

/** A configuration setting that is unknown, missing or malformed; the message names it. */
export class ConfigError extends TracebaseError {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super('BAD_CONFIGURATION', message, { setting });
  }
}
