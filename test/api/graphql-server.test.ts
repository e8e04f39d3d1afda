import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { loadConfig, type TracebaseConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { readMigrationFiles } from '../../src/db/migration-files';
import { createServices } from '../../src/services/service-container';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

async function post(url: string, body: unknown, raw = false): Promise<{ status: number; json: GraphQLResponse }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as GraphQLResponse };
}

function settings(overrides: Partial<TracebaseConfig> = {}): TracebaseConfig {
  return { ...loadConfig({}), port: 0, environment: 'production', ...overrides };
}

describe.each(testBackends())('GraphQL server on %s', (kind) => {
  let scratch: ScratchDatabase;
  let server: RunningGraphQLServer;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    server = await startGraphQLServer(settings({ maxQueryDepth: 2, maxQueryCost: 20, maxRequestBytes: 4096 }), createServices(scratch.db));
  });
  afterAll(async () => {
    await server.stop();
    await scratch.drop();
  });

  it('answers health with the back-end, pgvector version and applied migrations', async () => {
    const { status, json } = await post(server.url, {
      query: '{ health { database vectorExtension serverVersion pendingMigrations } }',
    });
    expect(status).toBe(200);
    expect(json.errors).toBeUndefined();
    const health = json.data!.health as Record<string, unknown>;
    expect(health.database).toBe(kind);
    expect(health.vectorExtension).toMatch(/^0\.(8|9)\.\d+$/);
    expect(health.serverVersion).toMatch(/^\d+\.\d+/);
    expect(health.pendingMigrations).toEqual([]);
    expect(json.extensions!.cost).toEqual({ requested: 5, maximum: 20 });
  });

  it('refuses an operation nested deeper than the limit, with QUERY_TOO_DEEP', async () => {
    const { json } = await post(server.url, { query: '{ health { migrations { name } } }' });
    expect(json.data).toBeUndefined();
    expect(json.errors![0]!.extensions!.code).toBe('QUERY_TOO_DEEP');
    expect(json.errors![0]!.message).toMatch(/3 levels deep; the limit is 2/);
  });

  it('follows fragments when measuring depth', async () => {
    const { json } = await post(server.url, {
      query: 'query Q { health { ...H } } fragment H on Health { migrations { name } }',
    });
    expect(json.errors![0]!.extensions!.code).toBe('QUERY_TOO_DEEP');
  });

  it('refuses an operation above the cost limit, with QUERY_TOO_COMPLEX', async () => {
    const fields = Array.from({ length: 25 }, (_, i) => `a${i}: serverVersion`).join(' ');
    const { json } = await post(server.url, { query: `{ health { ${fields} } }` });
    expect(json.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(json.errors![0]!.message).toMatch(/cost 26 exceeds the limit 20/);
  });

  it('gives malformed and hostile requests a code and stays up', async () => {
    const unknownField = await post(server.url, { query: '{ nope }' });
    expect(unknownField.json.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const syntax = await post(server.url, { query: '{ health { ' });
    expect(syntax.json.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(syntax.json.errors![0]!.extensions!.stacktrace).toBeUndefined();
    const badJson = await post(server.url, '{"query": ', true);
    expect(badJson.status).toBe(400);
    expect(badJson.json.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    const big = await post(server.url, { query: `{ health { database } } # ${'x'.repeat(5000)}` });
    expect(big.status).toBe(413);
    expect(big.json.errors![0]!.extensions!.code).toBe('PAYLOAD_TOO_LARGE');
    const after = await post(server.url, { query: '{ health { database } }' });
    expect((after.json.data!.health as { database: string }).database).toBe(kind);
  });

  it('answers unknown paths with 404 and serves a liveness probe', async () => {
    expect((await fetch(server.url.replace('/graphql', '/nowhere'))).status).toBe(404);
    const live = await fetch(server.url.replace('/graphql', '/healthz'));
    expect(await live.json()).toEqual({ status: 'ok' });
  });

  it('serves the landing page to a browser', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html/i);
  });
});

describe('GraphQL errors in development', () => {
  it('carry no stack traces, even in development, and report pending migrations', async () => {
    const scratch = await createScratchDatabase('pglite');
    const server = await startGraphQLServer(settings({ environment: 'development' }), createServices(scratch.db));
    try {
      const syntax = await post(server.url, { query: '{ health { ' });
      expect(syntax.json.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(syntax.json.errors![0]!.extensions!.stacktrace).toBeUndefined();
      // health works before migrating and says what is missing
      const { json } = await post(server.url, { query: '{ health { pendingMigrations migrations { name } } }' });
      const health = json.data!.health as { pendingMigrations: string[]; migrations: unknown[] };
      expect(health.pendingMigrations).toEqual(readMigrationFiles().map((m) => m.name));
      expect(health.migrations).toEqual([]);
    } finally {
      await server.stop();
      await scratch.drop();
    }
  });
});
