import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

import { TracebaseError } from '../errors/tracebase.error';

/**
 * Gives every GraphQL error an `extensions.code`: Tracebase's own errors keep their code and
 * details; errors Tracebase did not raise on purpose become INTERNAL_SERVER_ERROR, with their
 * message hidden unless `exposeInternals` (development, which prints them with their stack to
 * the server's console). No response carries a stack trace (`extensions.stacktrace`).
 */
export function createErrorFormatter(exposeInternals: boolean) {
  return (withStack: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { stacktrace: _stack, ...extensions } = withStack.extensions ?? {};
    const formatted: GraphQLFormattedError = withStack.extensions ? { ...withStack, extensions } : withStack;
    const original = unwrapResolverError(error);
    if (original instanceof TracebaseError) {
      return {
        ...formatted,
        message: original.message,
        extensions: { ...formatted.extensions, ...original.details, code: original.code },
      };
    }
    // Apollo re-labels validation errors GRAPHQL_VALIDATION_FAILED; our own validation rules
    // (depth limit...) keep the more precise code they set.
    if (error instanceof GraphQLError && error.originalError instanceof GraphQLError) {
      const own = error.originalError.extensions?.code;
      if (typeof own === 'string') {
        return { ...formatted, extensions: { ...formatted.extensions, ...error.originalError.extensions, code: own } };
      }
    }
    const code = formatted.extensions?.code;
    if (code === undefined || code === 'INTERNAL_SERVER_ERROR') {
      // eslint-disable-next-line no-console -- development servers print the unexpected error itself
      if (exposeInternals) console.error(unwrapResolverError(error));
      return {
        ...formatted,
        message: exposeInternals ? formatted.message : 'Internal server error',
        extensions: { ...(exposeInternals ? formatted.extensions : {}), code: 'INTERNAL_SERVER_ERROR' },
      };
    }
    return formatted;
  };
}
