import type { PubSub } from 'type-graphql';

/**
 * type-graphql refuses to build a schema with subscriptions unless it has a pub/sub, even when
 * every `@Subscription` brings its own `subscribe` function, as Tracebase's do (their values come
 * from polling the database, which several server processes share, not from in-process events).
 * This one only says so if something ever uses it.
 */
export const noPubSub: PubSub = {
  publish(routingKey: string) {
    throw new Error(`no pub/sub: subscriptions bring their own subscribe function (publish to "${routingKey}")`);
  },
  subscribe(routingKey: string) {
    throw new Error(`no pub/sub: subscriptions bring their own subscribe function (subscribe to "${routingKey}")`);
  },
};
