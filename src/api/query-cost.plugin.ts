import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, separateOperations, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

import type { GraphQLContext } from './context';

/**
 * Estimates the cost of each operation before it runs (each field costs 1, or what its
 * `complexity` option says; list fields multiply by their page size) and refuses operations
 * above `maxCost` with `extensions.code = QUERY_TOO_COMPLEX`. The cost of every executed
 * operation is reported in `extensions.cost`.
 */
export function queryCostPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let cost: number | undefined;
      return {
        async didResolveOperation({ request, document, operationName }) {
          const query = operationName ? (separateOperations(document)[operationName] ?? document) : document;
          cost = getComplexity({
            schema,
            query,
            variables: request.variables ?? {},
            estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
          });
          if (cost > maxCost) {
            throw new GraphQLError(`operation cost ${cost} exceeds the limit ${maxCost}; ask for fewer items or fields`, {
              extensions: { code: 'QUERY_TOO_COMPLEX', cost, maxCost },
            });
          }
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
