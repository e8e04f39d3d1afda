import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

import type { GraphQLContext } from '../context';

/**
 * Refuses subscription operations sent over HTTP (they would run once, without an event) with
 * `BAD_REQUEST` and HTTP 400 naming the WebSocket endpoint.
 */
export function httpSubscriptionRefusalPlugin(path: string): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError(`subscriptions are served over WebSocket (graphql-ws protocol, graphql-transport-ws) at ${path}, not over HTTP`, {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
