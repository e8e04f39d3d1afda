import type { GraphQLObjectType } from 'graphql';

import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { toGlobalId } from '../../src/api/relay/global-id';
import { buildTracebaseSchema } from '../../src/api/schema.builder';
import { ROLE_ORDER, type Role } from '../../src/auth/role';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { createServices, type Services } from '../../src/services/service-container';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

type Caller = 'anonymous' | Role;
const CALLERS: Caller[] = ['anonymous', ...ROLE_ORDER];

/** Who may run each operation: 'public', 'authenticated', or the lowest role. */
type Rule = 'public' | 'authenticated' | Role;

interface Operation {
  readonly field: string;
  readonly rule: Rule;
  /** The operation text; `ctx` gives ids created in beforeAll and the caller's own throw-away token. */
  readonly text: (ctx: { corpusId: string; documentId: string; modelId: string; queryId: string; ownTokenId: string }) => string;
}

const OPERATIONS: Operation[] = [
  { field: 'Query.health', rule: 'public', text: () => '{ health { database } }' },
  { field: 'Query.viewer', rule: 'public', text: () => '{ viewer { role } }' },
  { field: 'Query.corpora', rule: 'VIEWER', text: () => '{ corpora { edges { node { name } } } }' },
  { field: 'Query.corpus', rule: 'VIEWER', text: (c) => `{ corpus(id: "${c.corpusId}") { name } }` },
  { field: 'Query.document', rule: 'VIEWER', text: (c) => `{ document(id: "${c.documentId}") { text } }` },
  { field: 'Query.models', rule: 'VIEWER', text: () => '{ models { edges { node { name } } } }' },
  { field: 'Query.model', rule: 'VIEWER', text: (c) => `{ model(id: "${c.modelId}") { name } }` },
  { field: 'Query.apiTokens', rule: 'authenticated', text: () => '{ apiTokens { name } }' },
  {
    field: 'Mutation.createApiToken',
    rule: 'ADMIN',
    text: () => 'mutation { createApiToken(userName: "made-by-test", name: "t", role: VIEWER) { token } }',
  },
  { field: 'Mutation.revokeApiToken', rule: 'authenticated', text: (c) => `mutation { revokeApiToken(id: "${c.ownTokenId}") { revokedAt } }` },
  { field: 'Query.influenceQueries', rule: 'VIEWER', text: () => '{ influenceQueries { edges { node { prompt } } } }' },
  { field: 'Query.influenceQuery', rule: 'VIEWER', text: (c) => `{ influenceQuery(id: "${c.queryId}") { prompt } }` },
  ...(['influenceCorrelation', 'influenceDistribution', 'answerInTopK', 'influenceLayerTotals'] as const).map((name) => ({
    field: `Query.${name}`,
    rule: 'VIEWER' as Rule,
    text: (c: { queryId: string }) =>
      `{ ${name}(${name === 'influenceDistribution' ? `queryId: "${c.queryId}"` : `queryIds: ["${c.queryId}"]`}, factorSet: "none", space: "none") { basis { method } } }`,
  })),
  {
    field: 'Query.sourceOverRepresentation',
    rule: 'VIEWER',
    text: (c) => `{ sourceOverRepresentation(queryIds: ["${c.queryId}"], factorSet: "none", space: "none", ks: [5]) { sign } }`,
  },
  { field: 'Query.ingestion', rule: 'VIEWER', text: () => '{ ingestion(corpus: "c", model: "m", space: "s") { total } }' },
  { field: 'Mutation.startIngestion', rule: 'CURATOR', text: () => 'mutation { startIngestion(corpus: "c", model: "m", space: "s") { total } }' },
  { field: 'Mutation.cancelIngestion', rule: 'CURATOR', text: () => 'mutation { cancelIngestion(corpus: "c", model: "m", space: "s") { total } }' },
  { field: 'Mutation.importCorpus', rule: 'CURATOR', text: () => 'mutation { importCorpus(name: "c", file: "none.jsonl") { lines } }' },
  // allowed callers get NOT_FOUND (no such job): only the auth outcome matters here
  {
    field: 'Query.job',
    rule: 'VIEWER',
    text: () => `{ job(id: "${Buffer.from('Job:00000000-0000-4000-8000-000000000000').toString('base64url')}") { state } }`,
  },
  { field: 'Query.jobs', rule: 'VIEWER', text: () => '{ jobs(first: 5) { edges { node { state input { corpus } } } } }' },
  {
    field: 'Mutation.createInfluenceQueries',
    rule: 'CURATOR',
    // allowed callers get past authorization and fail later (no such factor set): only the auth outcome matters here
    text: () => 'mutation { createInfluenceQueries(model: "m", factorSet: "none", spaces: [], queries: [{ prompt: "a", completion: "b" }]) { id } }',
  },
  {
    field: 'Mutation.createInfluenceQueriesFromJsonl',
    rule: 'CURATOR',
    text: () => 'mutation { createInfluenceQueriesFromJsonl(model: "m", factorSet: "none", spaces: [], jsonl: "{}") { id } }',
  },
  {
    field: 'Mutation.scoreCorpus',
    rule: 'CURATOR',
    text: (c) => `mutation { scoreCorpus(queryIds: ["${c.queryId}"], space: "none", factorSet: "none") { jobIds } }`,
  },
];

function allowed(rule: Rule, caller: Caller): boolean {
  if (rule === 'public') return true;
  if (caller === 'anonymous') return false;
  if (rule === 'authenticated') return true;
  return ROLE_ORDER.indexOf(caller) >= ROLE_ORDER.indexOf(rule);
}

describe('authorization matrix: every operation, every role, and no token', () => {
  let scratch: ScratchDatabase;
  let services: Services;
  let server: RunningGraphQLServer;
  const tokens = new Map<Caller, string>();
  const ids = { corpusId: '', documentId: '', modelId: '', queryId: '' };

  beforeAll(async () => {
    scratch = await createScratchDatabase('pglite');
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
    for (const role of ROLE_ORDER) {
      tokens.set(role, (await services.auth.createToken({ userName: `user-${role}`, tokenName: 'matrix', role })).token);
    }
    const corpus = await scratch.db.prisma.corpus.create({ data: { name: 'c' } });
    const doc = await scratch.db.prisma.document.create({
      data: { corpusId: corpus.id, externalId: 'd', text: 't', contentHash: '0'.repeat(64) },
    });
    const model = await scratch.db.prisma.model.create({
      data: { name: 'm', hash: 'h', path: '/m', config: {}, trackedLayers: [], parameterCount: 1n },
    });
    const query = await scratch.db.prisma.query.create({ data: { modelId: model.id, prompt: 'p', completion: 'c' } });
    Object.assign(ids, {
      corpusId: toGlobalId('Corpus', corpus.id),
      documentId: toGlobalId('Document', doc.id),
      modelId: toGlobalId('Model', model.id),
      queryId: toGlobalId('InfluenceQuery', query.id),
    });
    server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, services);
  });
  afterAll(async () => {
    await server.stop();
    await scratch.drop();
  });

  it('covers every query and mutation field of the schema', async () => {
    const schema = await buildTracebaseSchema();
    const fields = [schema.getQueryType(), schema.getMutationType()]
      .filter((t): t is GraphQLObjectType => Boolean(t))
      .flatMap((t) => Object.keys(t.getFields()).map((f) => `${t.name}.${f}`));
    expect(OPERATIONS.map((o) => o.field).sort()).toEqual(fields.sort());
  });

  it.each(CALLERS)('as %s, each operation is allowed or denied with the right code', async (caller) => {
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const op of OPERATIONS) {
      // a throw-away token of this caller's own, for the revoke operation
      const own =
        caller === 'anonymous' || op.field !== 'Mutation.revokeApiToken'
          ? { record: { id: 1 } }
          : await services.auth.createToken({ userName: `user-${caller}`, tokenName: 'victim', role: caller });
      const text = op.text({ ...ids, ownTokenId: toGlobalId('ApiToken', own.record.id) });
      const { json } = await postGraphQL(server.url, text, { token: tokens.get(caller) });
      const code = json.errors?.[0]?.extensions?.code as string | undefined;
      // the matrix is about authorization: any other outcome (data, or a later error) got past it
      outcomes[op.field] = code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : code || json.data ? 'ALLOWED' : 'NO DATA';
      expected[op.field] = allowed(op.rule, caller) ? 'ALLOWED' : caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
    }
    expect(outcomes).toEqual(expected);
  });

  it('refuses a malformed, unknown or revoked token with HTTP 401 before running anything', async () => {
    const malformed = await postGraphQL(server.url, '{ health { database } }', { token: 'nope' });
    expect(malformed.status).toBe(401);
    expect(malformed.json.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const unknown = await postGraphQL(server.url, '{ health { database } }', { token: `tb_AAAAAAAA_${'A'.repeat(40)}` });
    expect(unknown.status).toBe(401);
    const { token, record } = await services.auth.createToken({ userName: 'user-VIEWER', tokenName: 'short-lived', role: 'VIEWER' });
    expect((await postGraphQL(server.url, '{ viewer { role } }', { token })).json.data).toEqual({ viewer: { role: 'VIEWER' } });
    await services.auth.revoke(record.id, { userId: record.user.id, userName: 'user-VIEWER', role: 'VIEWER', tokenId: record.id });
    expect((await postGraphQL(server.url, '{ viewer { role } }', { token })).status).toBe(401);
  });
});
