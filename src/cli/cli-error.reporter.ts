import { TracebaseError } from '../errors/tracebase.error';

/**
 * Prints an error for a person at a terminal and returns the exit status: 2 for errors
 * Tracebase raised on purpose (bad input, configuration, database state), 1 for anything else.
 */
export function reportCliError(error: unknown): number {
  if (error instanceof TracebaseError) {
    process.stderr.write(`tracebase: ${error.message}\n`);
    return 2;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`tracebase: unexpected error: ${err.stack ?? err.message}\n`);
  return 1;
}
