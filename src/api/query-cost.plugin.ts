import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';

import type { GraphQLContext } from './context';
import { estimateOperationCost, queryTooComplexError } from './operation-cost';

/**
 * Estimates the cost of each operation before it runs ({@link estimateOperationCost}) and
 * refuses operations above `maxCost` with HTTP 400 `QUERY_TOO_COMPLEX` (`extensions.cost`,
 * `extensions.maxCost`). Variables that do not fit their types are refused with HTTP 400
 * `BAD_USER_INPUT` naming the variable, before any estimate. The cost of every executed
 * operation is reported in `extensions.cost`.
 */
export function queryCostPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let cost: number | undefined;
      return {
        async didResolveOperation({ request, document, operationName }) {
          const estimate = estimateOperationCost(schema, document, operationName, request.variables);
          if (!estimate.ok) throw estimate.errors[0]!;
          cost = estimate.cost;
          if (cost > maxCost) throw queryTooComplexError(cost, maxCost);
        },
        async willSendResponse({ response }) {
          if (cost === undefined || response.body.kind !== 'single') return;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { requested: cost, maximum: maxCost },
          };
        },
      };
    },
  };
}
