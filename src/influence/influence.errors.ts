import { InvalidInputError, TracebaseError } from '../errors/tracebase.error';

/** A corpus or query JSONL line that does not meet its contract; names the file and line number (1-based). */
export class CorpusLineError extends InvalidInputError {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${file}:${line}: ${problem}`, { file, line });
  }
}

/**
 * Factors that cannot be used for this request: fitted for another model, corpus or with other
 * arguments (kronfluence refuses such reuse too), or missing layers. Names the field that differs.
 */
export class FactorMismatchError extends TracebaseError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('FACTOR_MISMATCH', message, details);
  }
}

/** A factor directory that is missing, unreadable or corrupt (names the file and tensor). */
export class FactorFileError extends InvalidInputError {
  constructor(message: string, details: { file?: string; tensor?: string; [k: string]: unknown } = {}) {
    super(message, details);
  }
}
