import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode, handleProtocols, makeServer, type Context } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';

import { UnauthenticatedError } from '../../auth/auth.error';
import type { Viewer } from '../../auth/viewer';
import type { TracebaseConfig } from '../../config/config';
import { TracebaseError } from '../../errors/tracebase.error';
import type { Services } from '../../services/service-container';
import { createRequestLoaders, type GraphQLContext } from '../context';
import { createErrorFormatter } from '../error-formatter';
import { estimateOperationCost, queryTooComplexError } from '../operation-cost';
import { queryDepthRule } from '../query-depth.rule';
import type { RateLimiter } from '../rate-limiter';

/** Subscriptions one connection may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;
/** Interval of WebSocket pings; a client that does not answer one within it is dropped. */
const KEEP_ALIVE_MS = 12_000;
/** How long shutdown waits for clients to acknowledge the close before cutting them off. */
const CLOSE_GRACE_MS = 1_000;

type Settings = Pick<TracebaseConfig, 'environment' | 'maxQueryDepth' | 'maxQueryCost' | 'maxRequestBytes' | 'importDir'>;

/** What each connection carries: its socket, the upgrade request, and the authenticated caller. */
interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  viewer: Viewer | null;
}

/** Subscriptions over WebSocket (graphql-ws protocol) on the API's HTTP server. */
export interface SubscriptionServer {
  /** Takes over an HTTP upgrade request (the caller has checked the path). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open connections. */
  readonly connections: number;
  /** Closes every connection (1001), which ends their subscriptions and stops their polling. */
  close(): Promise<void>;
}

function error(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** The error without its HTTP status (a WebSocket message has none). */
function withoutHttpStatus(e: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = e.extensions;
  return new GraphQLError(e.message, { nodes: e.nodes, originalError: e.originalError, extensions });
}

/** The `Authorization` value of a connection: `connectionParams.Authorization`, else the upgrade request's header. */
function authorizationOf(params: Record<string, unknown> | undefined, request: IncomingMessage): string | undefined {
  const fromParams = params?.Authorization ?? params?.authorization;
  if (typeof fromParams === 'string') return fromParams;
  return request.headers.authorization;
}

/**
 * Serves GraphQL subscriptions over WebSocket with the graphql-ws protocol
 * (`graphql-transport-ws`), under the same rules as HTTP:
 *
 * - **Authentication** at connection: the client sends `{ Authorization: 'Bearer <token>' }` as
 *   `connectionParams` (or the upgrade request's `Authorization` header); without a valid token the
 *   socket is closed with 4401 and the reason. Every subscription field is `@Authorized`, checked
 *   by the API's one auth checker.
 * - **Limits**: the depth rule in validation, the same cost estimate and maximum as HTTP, the
 *   per-token rate limit for each subscription, messages above `maxRequestBytes` refused, at most
 *   {@link MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection.
 * - **Errors** formatted as over HTTP (`extensions.code`; internals hidden outside development).
 * - Only subscriptions: queries and mutations go over HTTP (where the HTTP-only rules apply).
 */
export function createSubscriptionServer(schema: GraphQLSchema, services: Services, settings: Settings, limiter: RateLimiter): SubscriptionServer {
  const development = settings.environment === 'development';
  const formatter = createErrorFormatter(development);
  const format = (e: GraphQLError): GraphQLFormattedError => formatter(e.toJSON(), !e.path && e.originalError instanceof TracebaseError ? e.originalError : e);
  const rules = [...specifiedRules, queryDepthRule(settings.maxQueryDepth)];

  const server = makeServer<Record<string, unknown>, Extra>({
    schema,
    async onConnect(ctx) {
      let viewer: Viewer | null;
      try {
        viewer = await services.auth.authenticate(authorizationOf(ctx.connectionParams, ctx.extra.request));
      } catch (e) {
        if (!(e instanceof UnauthenticatedError)) throw e;
        ctx.extra.socket.close(CloseCode.Unauthorized, e.message.slice(0, 120));
        return false;
      }
      if (!viewer) {
        ctx.extra.socket.close(CloseCode.Unauthorized, "authentication required: connectionParams { Authorization: 'Bearer <token>' }");
        return false;
      }
      ctx.extra.viewer = viewer;
      return true;
    },
    onSubscribe(ctx: Context<Record<string, unknown>, Extra>, _id, payload): ExecutionArgs | readonly GraphQLError[] {
      const viewer = ctx.extra.viewer!;
      if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
        return [error('TOO_MANY_SUBSCRIPTIONS', `a connection may hold ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions; complete one first`)];
      }
      const limit = limiter.take(`token:${viewer.tokenId}`);
      if (!limit.allowed) return [error('RATE_LIMITED', `too many requests; retry in ${limit.retryAfterSeconds} s`)];
      let document: DocumentNode;
      try {
        document = parse(payload.query);
      } catch (e) {
        return [error('GRAPHQL_PARSE_FAILED', (e as Error).message)];
      }
      const invalid = validate(schema, document, rules);
      if (invalid.length) {
        return invalid.map((e) => (e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
      }
      const operationName = payload.operationName ?? undefined;
      const operation = getOperationAST(document, operationName);
      if (!operation) return [error('BAD_REQUEST', 'no operation to run: name one with operationName')];
      if (operation.operation !== 'subscription') {
        return [error('BAD_REQUEST', `the WebSocket endpoint serves subscriptions only; send ${operation.operation} operations by HTTP POST`)];
      }
      const estimate = estimateOperationCost(schema, document, operationName, payload.variables);
      if (!estimate.ok) return estimate.errors.map(withoutHttpStatus);
      if (estimate.cost > settings.maxQueryCost) return [withoutHttpStatus(queryTooComplexError(estimate.cost, settings.maxQueryCost))];
      const contextValue: GraphQLContext = {
        services,
        requestId: randomUUID(),
        viewer,
        loaders: createRequestLoaders(services),
        ...(settings.importDir ? { importDir: settings.importDir } : {}),
      };
      return { schema, document, operationName: operationName ?? null, variableValues: payload.variables ?? null, contextValue };
    },
    onNext(_ctx, _id, _payload, _args, result) {
      if (!result.errors?.length) return undefined;
      return { ...result, errors: result.errors.map((e) => format(e as GraphQLError)) };
    },
    onError(_ctx, _id, _payload, errors) {
      return errors.map(format);
    },
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxRequestBytes, handleProtocols: (protocols) => handleProtocols(protocols) });
  const closing = new Set<Promise<void>>();
  let stopping = false;

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const extra: Extra = { socket, request, viewer: null };
    socket.once('error', () => socket.terminate());
    let pongWait: NodeJS.Timeout | null = null;
    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (e) => (e ? reject(e) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch((e: unknown) => {
              // eslint-disable-next-line no-console -- development servers print the unexpected error itself
              if (development) console.error(e);
              socket.close(CloseCode.InternalServerError, development ? String((e as Error).message ?? e).slice(0, 120) : 'Internal server error');
            });
          }),
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      clearInterval(ping);
      if (pongWait) clearTimeout(pongWait);
      // ends the connection's subscriptions: their iterators return, which stops their polling
      const done = closed(code, String(reason)).catch(() => undefined);
      closing.add(done);
      void done.finally(() => closing.delete(done));
    });
  });

  return {
    handleUpgrade(request, socket, head) {
      if (stopping) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    get connections() {
      return wss.clients.size;
    },
    async close() {
      stopping = true;
      const clients = [...wss.clients];
      const gone = clients.map((c) => new Promise<void>((resolve) => (c.readyState === c.CLOSED ? resolve() : c.once('close', () => resolve()))));
      for (const c of clients) c.close(1001, 'server shutting down');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(gone), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
      for (const c of wss.clients) c.terminate();
      await Promise.all(gone);
      await Promise.all([...closing]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
