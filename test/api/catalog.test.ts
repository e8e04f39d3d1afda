import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { toGlobalId } from '../../src/api/relay/global-id';
import { loadConfig } from '../../src/config/config';
import type { Database } from '../../src/db/database.types';
import { applyMigrations } from '../../src/db/migration-runner';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { createServices } from '../../src/services/service-container';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

/** Wraps a database so that every statement sent through Prisma or plain SQL is counted. */
function countingDatabase(db: Database): { db: Database; count: () => number; reset: () => void } {
  let n = 0;
  const prisma = db.prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        n++;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  const sql = {
    ...db.sql,
    query: (text: string, params?: readonly unknown[]) => {
      n++;
      return db.sql.query(text, params);
    },
  } as Database['sql'];
  return { db: { ...db, prisma, sql }, count: () => n, reset: () => (n = 0) };
}

describe.each(testBackends())('catalog queries on %s', (kind) => {
  let scratch: ScratchDatabase;
  let server: RunningGraphQLServer;
  let counter: ReturnType<typeof countingDatabase>;
  let token: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    for (const name of ['alpha', 'beta', 'gamma']) {
      const corpus = await scratch.db.prisma.corpus.create({ data: { name, documentCount: 30 } });
      await scratch.db.prisma.document.createMany({
        data: Array.from({ length: 30 }, (_, i) => ({
          corpusId: corpus.id,
          externalId: `${name}-${i}`,
          text: i % 3 === 0 ? `The capital of Velor is Danu (${i}) 100%` : `filler text ${i}`,
          source: i % 2 ? 'code' : 'wiki',
          metadata: { parity: i % 2, task: i % 5 === 0 ? 'slope' : 'none' },
          contentHash: `${name}${i}`
            .padEnd(64, '0')
            .slice(0, 64)
            .replace(/[^0-9a-f]/g, 'a'),
        })),
      });
    }
    counter = countingDatabase(scratch.db);
    const services = createServices(counter.db);
    token = (await services.auth.createToken({ userName: 'reader', tokenName: 't', role: 'VIEWER' })).token;
    server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, services);
  });
  afterAll(async () => {
    await server.stop();
    await scratch.drop();
  });

  const ask = (query: string) => postGraphQL(server.url, query, { token });

  it('pages through a connection with first/after until hasNextPage is false', async () => {
    const corpus = toGlobalId('Corpus', 1);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { json } = await ask(
        `{ corpus(id: "${corpus}") { documents(first: 7${after ? `, after: "${after}"` : ''}) { edges { node { externalId } } pageInfo { hasNextPage endCursor } } } }`,
      );
      const conn = (json.data!.corpus as { documents: { edges: { node: { externalId: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } })
        .documents;
      seen.push(...conn.edges.map((e) => e.node.externalId));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `alpha-${i}`));
  });

  it('filters documents by source, metadata containment and literal text search', async () => {
    const corpus = toGlobalId('Corpus', 2);
    const { json } = await ask(
      `{ corpus(id: "${corpus}") { documents(first: 100, source: "wiki", search: "velor is DANU", metadata: { task: "slope" }) { edges { node { externalId source metadata } } } } }`,
    );
    const ids = (json.data!.corpus as { documents: { edges: { node: { externalId: string } }[] } }).documents.edges.map((e) => e.node.externalId);
    // even i, i % 3 == 0, i % 5 == 0 → i ∈ {0}
    expect(ids).toEqual(['beta-0']);
    const percent = await ask(`{ corpus(id: "${corpus}") { documents(first: 100, search: "0%") { edges { node { externalId } } } } }`);
    const hits = (percent.json.data!.corpus as { documents: { edges: unknown[] } }).documents.edges;
    // '%' matches literally, not as a wildcard: only the 10 texts ending in "100%" (i % 3 == 0) contain "0%"
    expect(hits.length).toBe(10);
  });

  it('answers a nested corpora → documents → corpus query in a constant number of statements', async () => {
    const nested = (first: number) =>
      `{ corpora(first: ${first}) { edges { node { name documents(first: 20) { edges { node { externalId corpus { name } } } } } } } }`;
    counter.reset();
    const one = await ask(nested(1));
    const forOne = counter.count();
    counter.reset();
    const three = await ask(nested(3));
    const forThree = counter.count();
    expect(one.json.errors).toBeUndefined();
    expect(three.json.errors).toBeUndefined();
    const corpora = (three.json.data!.corpora as { edges: { node: { name: string; documents: { edges: { node: { corpus: { name: string } } }[] } } }[] }).edges;
    expect(corpora.map((e) => e.node.name)).toEqual(['alpha', 'beta', 'gamma']);
    for (const edge of corpora) {
      expect(edge.node.documents.edges).toHaveLength(20);
      expect(edge.node.documents.edges.every((d) => d.node.corpus.name === edge.node.name)).toBe(true);
    }
    // token check + corpora + one page query + one corpus batch, however many corpora
    expect(forThree).toBe(forOne);
    expect(forThree).toBeLessThanOrEqual(5);
  });

  it('gives malformed IDs, wrong-type IDs, bad cursors and out-of-range pages BAD_USER_INPUT', async () => {
    const cases = [
      '{ corpus(id: "!!!") { name } }',
      `{ corpus(id: "${toGlobalId('Model', 1)}") { name } }`,
      '{ corpora(first: 0) { edges { cursor } } }',
      '{ corpora(first: 101) { edges { cursor } } }',
      '{ corpora(after: "bm9wZQ") { edges { cursor } } }',
    ];
    for (const query of cases) {
      const { json } = await ask(query);
      expect([query, json.errors?.[0]?.extensions?.code]).toEqual([query, 'BAD_USER_INPUT']);
    }
    const missing = await ask(`{ corpus(id: "${toGlobalId('Corpus', 999)}") { name } }`);
    expect(missing.json.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });

  it('prices connections by page size', async () => {
    const small = await ask('{ corpora(first: 1) { edges { node { name } } } }');
    const large = await ask('{ corpora(first: 100) { edges { node { name } } } }');
    const cost = (r: typeof small) => (r.json.extensions!.cost as { requested: number }).requested;
    expect(cost(large)).toBeGreaterThan(cost(small) * 50);
  });
});
