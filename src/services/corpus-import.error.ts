import { TracebaseError } from '../errors/tracebase.error';

/** A corpus file that cannot be read (missing, unreadable, vanished mid-import). */
export class CorpusFileError extends TracebaseError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super('BAD_USER_INPUT', message, { file });
  }
}
