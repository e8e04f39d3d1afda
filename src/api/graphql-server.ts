import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';

import type { TracebaseConfig } from '../config/config';
import type { Services } from '../services/service-container';
import { UnauthenticatedError } from '../auth/auth.error';
import type { Viewer } from '../auth/viewer';
import { createRequestLoaders, type GraphQLContext } from './context';
import { createErrorFormatter } from './error-formatter';
import { queryCostPlugin } from './query-cost.plugin';
import { queryDepthRule } from './query-depth.rule';
import { RateLimiter } from './rate-limiter';
import { buildTracebaseSchema } from './schema.builder';
import { createSubscriptionServer } from './subscriptions/graphql-ws.server';
import { httpSubscriptionRefusalPlugin } from './subscriptions/http-subscription-refusal.plugin';

/** Path the GraphQL endpoint is served on. */
export const GRAPHQL_PATH = '/graphql';

/** A running GraphQL HTTP server. */
export interface RunningGraphQLServer {
  /** e.g. http://127.0.0.1:4000/graphql */
  readonly url: string;
  readonly httpServer: Server;
  /**
   * Stops accepting connections, closes subscriptions, waits for in-flight requests to finish
   * (at most `drainMs`, default 10 000 ms, then cuts them off) and stops Apollo.
   */
  stop(drainMs?: number): Promise<void>;
}

type ServerSettings = Pick<
  TracebaseConfig,
  'host' | 'port' | 'environment' | 'maxQueryDepth' | 'maxQueryCost' | 'maxRequestBytes' | 'importDir' | 'rateLimitPerMinute'
>;

class RequestBodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new RequestBodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** Creates the Apollo server (not yet listening) for the given services. */
export async function createApolloServer(
  settings: Pick<ServerSettings, 'environment' | 'maxQueryDepth' | 'maxQueryCost'>,
): Promise<ApolloServer<GraphQLContext>> {
  const schema = await buildTracebaseSchema();
  const development = settings.environment === 'development';
  return new ApolloServer<GraphQLContext>({
    schema,
    validationRules: [queryDepthRule(settings.maxQueryDepth)],
    formatError: createErrorFormatter(development),
    // stack traces never leave the server, whatever the environment (development prints them)
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      httpSubscriptionRefusalPlugin(GRAPHQL_PATH),
      queryCostPlugin(schema, settings.maxQueryCost),
      development ? ApolloServerPluginLandingPageLocalDefault({ footer: false }) : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    ],
  });
}

/**
 * Serves the API over HTTP on `settings.host:settings.port` at {@link GRAPHQL_PATH} (GET
 * shows the landing page), with `/healthz` as a plain liveness probe. Request bodies above
 * `maxRequestBytes` get 413 and malformed JSON 400, each with an `extensions.code`.
 * Subscriptions are served on the same path over WebSocket (graphql-ws protocol); `stop()`
 * closes their connections too, which ends their polling.
 */
export async function startGraphQLServer(settings: ServerSettings, services: Services): Promise<RunningGraphQLServer> {
  const apollo = await createApolloServer(settings);
  await apollo.start();
  const limiter = new RateLimiter(settings.rateLimitPerMinute);
  const subscriptions = createSubscriptionServer(await buildTracebaseSchema(), services, settings, limiter);

  const httpServer = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.end();
      // eslint-disable-next-line no-console -- development servers print the unexpected error itself
      if (settings.environment === 'development') console.error(error);
    });
  });

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== GRAPHQL_PATH) {
      socket.end(`HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n`);
      return;
    }
    subscriptions.handleUpgrade(req, socket, head);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: GRAPHQL_PATH });
      res.end();
      return;
    }
    if (url.pathname !== GRAPHQL_PATH) {
      sendJsonError(res, 404, 'NOT_FOUND', `no route ${url.pathname}; the API is at ${GRAPHQL_PATH}`);
      return;
    }
    let raw: string;
    try {
      if (Number(req.headers['content-length'] ?? 0) > settings.maxRequestBytes) throw new RequestBodyTooLargeError();
      raw = await readBody(req, settings.maxRequestBytes);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) {
        // Answer, then drop the connection rather than reading the rest of the body.
        res.setHeader('connection', 'close');
        res.on('finish', () => req.destroy());
        sendJsonError(res, 413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${settings.maxRequestBytes} bytes`);
        return;
      }
      throw error;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    if (req.method === 'POST' && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = raw === '' ? {} : JSON.parse(raw);
      } catch (error) {
        sendJsonError(res, 400, 'BAD_REQUEST', `request body is not valid JSON: ${(error as Error).message}`);
        return;
      }
    }
    let viewer: Viewer | null;
    try {
      viewer = await services.auth.authenticate(headers.get('authorization'));
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        res.setHeader('www-authenticate', 'Bearer');
        sendJsonError(res, 401, error.code, error.message);
        return;
      }
      throw error;
    }
    const limit = limiter.take(viewer ? `token:${viewer.tokenId}` : `address:${req.socket.remoteAddress ?? 'unknown'}`);
    if (!limit.allowed) {
      res.setHeader('retry-after', String(limit.retryAfterSeconds));
      sendJsonError(res, 429, 'RATE_LIMITED', `too many requests: ${settings.rateLimitPerMinute} a minute; retry in ${limit.retryAfterSeconds} s`);
      return;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => ({ services, requestId: randomUUID(), viewer, loaders: createRequestLoaders(services), importDir: settings.importDir }),
    });
    const outHeaders: Record<string, string> = {};
    for (const [key, value] of response.headers) outHeaders[key] = value;
    res.writeHead(response.status ?? 200, outHeaders);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(settings.port, settings.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${GRAPHQL_PATH}`,
    httpServer,
    async stop(drainMs = 10_000) {
      // stop accepting, end subscriptions, let in-flight requests finish (idle keep-alive
      // connections close now), and cut off what is still running after `drainMs`
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      await subscriptions.close();
      const timer = setTimeout(() => httpServer.closeAllConnections(), drainMs);
      await closed;
      clearTimeout(timer);
      await apollo.stop();
    },
  };
}
