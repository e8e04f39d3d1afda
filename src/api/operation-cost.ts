import { getOperationAST, getVariableValues, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** What estimating an operation found: its cost, or why its variables cannot be used. */
export type OperationCost = { readonly ok: true; readonly cost: number } | { readonly ok: false; readonly errors: readonly GraphQLError[] };

/**
 * Estimated cost of the operation `operationName` of `document` (each field 1, or what its
 * `complexity` option says; list fields multiply by their page size), from its variables once
 * they are known to coerce. Variables that do not fit their declared types (a string for an `Int`,
 * null for a non-null type, an unknown enum value, a required one missing) are not estimated
 * from: they come back as BAD_USER_INPUT errors naming the variable, as execution would give.
 */
export function estimateOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): OperationCost {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return { ok: true, cost: 0 };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 10 });
  if (coerced.errors) {
    return {
      ok: false,
      errors: coerced.errors.map(
        (e) => new GraphQLError(e.message, { nodes: e.nodes, originalError: e.originalError, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } }),
      ),
    };
  }
  const cost = getComplexity({
    schema,
    query: { ...document, definitions: [operation, ...document.definitions.filter((d) => d.kind === 'FragmentDefinition')] },
    // the raw variables, now known to coerce: getComplexity coerces them itself, and coercing the
    // already-coerced ones again fails for enums whose internal values are not their names
    variables: variables ?? {},
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  return { ok: true, cost };
}

/** The error of an operation above the cost limit: HTTP 400, with `cost` and `maxCost`. */
export function queryTooComplexError(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(`operation cost ${cost} exceeds the limit ${maxCost}; ask for fewer items or fields`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', cost, maxCost, http: { status: 400 } },
  });
}
