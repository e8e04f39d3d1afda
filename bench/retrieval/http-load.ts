/**
 * HTTP load on `query.topInfluences`: the real GraphQL server (startGraphQLServer) on loopback
 * against the benchmark's database, a VIEWER token, and autocannon (programmatic API) sending
 * the queries' topInfluences operations round robin at a fixed concurrency for a fixed time.
 * Every operation is sent twice and checked (k edges, no errors) before the timed run, so the
 * run sees warm caches (projection-space runtime and factor set in the services, pages in
 * Postgres' buffers, the rankings in the API's ranking cache: each request reads the ranking's
 * stamp in one statement and is answered from the cache). Autocannon runs in this process,
 * beside the server.
 */
import { loadConfig } from '../../src/config/config';
import { startGraphQLServer } from '../../src/api/graphql-server';
import { toGlobalId } from '../../src/api/relay/global-id';
import type { Services } from '../../src/services/service-container';

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonHistogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly total?: number;
}
interface AutocannonResult {
  readonly requests: AutocannonHistogram;
  readonly latency: AutocannonHistogram;
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly mismatches: number;
}
type Autocannon = (options: {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  connections: number;
  duration: number;
  requests: { body: string }[];
  verifyBody: (body: string) => boolean;
  timeout: number;
}) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no types; the call signature is declared above
const autocannon = require('autocannon') as Autocannon;

const OPERATION = `query Top($id: ID!, $factorSet: String!, $space: String!, $k: Int!) {
  influenceQuery(id: $id) {
    topInfluences(factorSet: $factorSet, space: $space, k: $k, mode: RERANKED) {
      candidates
      edges { rank score perNat document { id } }
    }
  }
}`;

export interface HttpLoadResult {
  readonly space: string;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Connection errors and timeouts, non-2xx responses, 200 responses carrying GraphQL errors. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly graphqlErrors: number;
}

export async function runHttpLoad(
  services: Services,
  options: { factorSetName: string; spaceName: string; queryIds: readonly number[]; k: number; seconds: number; connections: number },
): Promise<HttpLoadResult> {
  const { token } = await services.auth.createToken({ userName: 'bench-retrieval', tokenName: `load ${new Date().toISOString()}`, role: 'VIEWER' });
  // the per-token rate limit would turn a load test into a 429 test: lift it for this server
  const server = await startGraphQLServer(
    { ...loadConfig({}), host: '127.0.0.1', port: 0, environment: 'production', rateLimitPerMinute: 1_000_000 },
    services,
  );
  try {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const bodies = options.queryIds.map((id) =>
      JSON.stringify({
        query: OPERATION,
        variables: { id: toGlobalId('InfluenceQuery', id), factorSet: options.factorSetName, space: options.spaceName, k: options.k },
      }),
    );
    for (let pass = 0; pass < 2; pass++) {
      for (const body of bodies) {
        const res = await fetch(server.url, { method: 'POST', headers, body });
        const json = (await res.json()) as { data?: { influenceQuery?: { topInfluences?: { edges: unknown[] } } }; errors?: { message: string }[] };
        const edges = json.data?.influenceQuery?.topInfluences?.edges;
        if (res.status !== 200 || json.errors || !edges || edges.length !== options.k) {
          throw new Error(`warm-up request failed (HTTP ${res.status}): ${JSON.stringify(json.errors ?? json).slice(0, 500)}`);
        }
      }
    }
    const result = await autocannon({
      url: server.url,
      method: 'POST',
      headers,
      connections: options.connections,
      duration: options.seconds,
      requests: bodies.map((body) => ({ body })),
      verifyBody: (body) => !body.includes('"errors"'),
      timeout: 60,
    });
    return {
      space: options.spaceName,
      connections: options.connections,
      seconds: result.duration,
      requests: result.requests.total ?? Math.round(result.requests.average * result.duration),
      requestsPerSecond: result.requests.average,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      graphqlErrors: result.mismatches,
    };
  } finally {
    await server.stop();
  }
}
