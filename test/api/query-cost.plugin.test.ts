import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { createServices } from '../../src/services/service-container';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

// Variables are checked before the cost is estimated, and an operation over a limit is the
// client's error: each of these answers 400 with a code, never 500.
const TOP = `query Top($k: Int!, $sign: InfluenceSign) {
  influenceQuery(id: "SW5mbHVlbmNlUXVlcnk6MQ") { topInfluences(factorSet: "f", space: "s", k: $k, sign: $sign) { edges { rank } } }
}`;

describe('request errors over HTTP', () => {
  let scratch: ScratchDatabase;
  let server: RunningGraphQLServer;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pglite');
    await applyMigrations(scratch.db.sql);
    server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, createServices(scratch.db));
  });
  afterAll(async () => {
    await server.stop();
    await scratch.drop();
  });

  it.each([
    ['a string', { k: 'ten' }],
    ['a fraction', { k: 1.5 }],
    ['null for a non-null type', { k: null }],
    ['a missing variable', {}],
    ['an unknown enum value', { k: 5, sign: 'SIDEWAYS' }],
  ])('answers a bad variable (%s) with 400 BAD_USER_INPUT naming it', async (_what, variables) => {
    const { status, json } = await postGraphQL(server.url, TOP, { variables });
    expect(status).toBe(400);
    expect(json.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(json.errors![0]!.message).toMatch('sign' in variables ? /\$sign/ : /\$k/);
    expect(json.data).toBeUndefined();
  });

  it('estimates from good enum variables whose internal values are not their names (jobs(queue: $q))', async () => {
    // the queue enum's values stand for queue names such as "tracebase.score-corpus": coercing
    // them twice answered 500 INTERNAL_SERVER_ERROR (found by npm run fuzz:api)
    const token = await createServices(scratch.db).auth.createToken({ userName: 'cost-test', tokenName: 'admin', role: 'ADMIN' });
    const { status, json } = await postGraphQL(server.url, 'query($q: JobQueue, $s: JobState) { jobs(queue: $q, state: $s) { edges { cursor } } }', {
      variables: { q: 'SCORE_CORPUS', s: 'ACTIVE' },
      token: token.token,
    });
    expect(json.errors).toBeUndefined();
    expect(status).toBe(200);
  });

  it('answers a bad variable of a connection page size with 400', async () => {
    const { status, json } = await postGraphQL(server.url, 'query($n: Int) { corpora(first: $n) { edges { cursor } } }', { variables: { n: 'many' } });
    expect(status).toBe(400);
    expect(json.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(json.errors![0]!.message).toMatch(/\$n/);
  });

  it.each([
    [
      'k as a literal',
      'query { influenceQuery(id: "SW5mbHVlbmNlUXVlcnk6MQ") { topInfluences(factorSet: "f", space: "s", k: 1000000) { edges { rank } } } }',
      {},
    ],
    ['k as a variable', TOP, { k: 1_000_000 }],
    ['first as a literal', '{ corpora(first: 100000) { edges { node { documents(first: 100) { edges { cursor } } } } } }', {}],
  ])('answers an operation over the cost limit (%s) with 400 QUERY_TOO_COMPLEX, the cost and the limit', async (_what, query, variables) => {
    const { status, json } = await postGraphQL(server.url, query, { variables });
    expect(status).toBe(400);
    const error = json.errors![0]!;
    expect(error.extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(error.extensions!.cost).toBeGreaterThan(50_000);
    expect(error.extensions!.maxCost).toBe(50_000);
    expect(error.extensions!.http).toBeUndefined();
  });

  it('prices EXACT rankings by the candidates the engine recomputes', async () => {
    const aliases = (mode: string) =>
      `query { influenceQuery(id: "SW5mbHVlbmNlUXVlcnk6MQ") { ${Array.from({ length: 12 }, (_, i) => `a${i}: topInfluences(factorSet: "f", space: "s", k: 10, mode: ${mode}) { edges { rank } }`).join(' ')} } }`;
    const reranked = await postGraphQL(server.url, aliases('RERANKED'));
    expect(reranked.json.errors![0]!.extensions!.code).not.toBe('QUERY_TOO_COMPLEX');
    const exact = await postGraphQL(server.url, aliases('EXACT'));
    expect(exact.status).toBe(400);
    expect(exact.json.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(exact.json.errors![0]!.extensions!.cost).toBe(1 + 12 * (10 + 10 * 2 + 20 * 250));
  });

  it('stays up', async () => {
    const { status, json } = await postGraphQL(server.url, '{ health { database } }');
    expect(status).toBe(200);
    expect(json.data).toEqual({ health: { database: 'pglite' } });
  });
});
