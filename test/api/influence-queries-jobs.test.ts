import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { fromGlobalId, toGlobalId } from '../../src/api/relay/global-id';
import { fromJobGlobalId } from '../../src/api/types/job-global-id';
import { loadConfig } from '../../src/config/config';
import { COMPUTE_QUERY_GRADIENTS, SCORE_CORPUS } from '../../src/domain/queue-name';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import { startWorker } from '../../src/worker/worker';
import { postGraphQL } from '../support/graphql-client';
import { prepareQueryPlatform, type QueryPlatform, waitFor } from '../support/query-platform.fixture';
import { testBackends } from '../support/test-database';

jest.setTimeout(900_000);

interface QueryFields {
  id: string;
  gradientStatus: string;
  gradientError: string | null;
  gradientJobId: string | null;
  nats: number | null;
  modelAnswer: string | null;
  answeredCorrectly: boolean | null;
}
const FIELDS = 'id gradientStatus gradientError gradientJobId nats modelAnswer answeredCorrectly';

describe.each(testBackends())('query and corpus-scoring jobs over GraphQL on %s', (kind) => {
  let p: QueryPlatform;
  let server: RunningGraphQLServer;
  let curator: string;

  beforeAll(async () => {
    p = await prepareQueryPlatform(kind);
    curator = (await p.services.auth.createToken({ userName: 'cur', tokenName: 't', role: 'CURATOR' })).token;
    server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, p.services);
  });
  afterAll(async () => {
    await server.stop();
    await p.services.jobQueue.stop();
    await p.scratch.drop();
  });

  const gql = async (text: string) => {
    const { json } = await postGraphQL(server.url, text, { token: curator });
    expect(json.errors).toBeUndefined();
    return json.data!;
  };

  it('createInfluenceQueries returns the queries at once, PENDING; a worker makes them READY with nats and the greedy answer', async () => {
    const made = await gql(
      `mutation { createInfluenceQueries(model: "tiny", factorSet: "ek", spaces: ["default"], queries: [
        { externalId: "g1", prompt: "Velor: ", completion: "Danu.", kind: FACTUAL, answerKeywords: ["Danu"] },
        { externalId: "g2", prompt: "Doc 4", completion: ": more" }
      ]) { ${FIELDS} } }`,
    );
    const created = made.createInfluenceQueries as QueryFields[];
    expect(created).toHaveLength(2);
    for (const q of created) {
      expect(q).toMatchObject({ gradientStatus: 'PENDING', gradientError: null, nats: null, modelAnswer: null, answeredCorrectly: null });
      expect(q.gradientJobId).toBe(created[0]!.gradientJobId);
    }
    expect((await p.services.jobQueue.status(COMPUTE_QUERY_GRADIENTS, fromJobGlobalId(created[0]!.gradientJobId!)))?.state).toMatch(/created|active/);

    await startWorker(p.services.jobQueue, p.services, { concurrency: 1 });
    const read = async (id: string) => (await gql(`{ influenceQuery(id: "${id}") { ${FIELDS} } }`)).influenceQuery as QueryFields;
    await waitFor('READY queries', async () => (await read(created[1]!.id)).gradientStatus === 'READY');
    const vectors = new QueryVectorRepository(p.scratch.db.sql);
    for (const q of created) {
      const ready = await read(q.id);
      expect(ready.gradientStatus).toBe('READY');
      const gradient = (await vectors.findGradient(fromGlobalId(q.id, 'InfluenceQuery').id, p.factorSetId))!;
      expect(ready.nats).toBeCloseTo(gradient.nats, 6);
      expect(typeof ready.modelAnswer).toBe('string');
    }
    expect(typeof (await read(created[0]!.id)).answeredCorrectly).toBe('boolean');
    const job = (await gql(`{ job(id: "${created[0]!.gradientJobId}") { queue state } }`)).job;
    expect(job).toEqual({ queue: 'COMPUTE_QUERY_GRADIENTS', state: 'COMPLETED' });
    expect((await read(created[1]!.id)).answeredCorrectly).toBeNull();
    const page = (await gql('{ influenceQueries(first: 10) { edges { node { externalId gradientStatus } } } }')).influenceQueries as {
      edges: { node: { externalId: string; gradientStatus: string } }[];
    };
    expect(page.edges.map((e) => e.node)).toEqual([
      { externalId: 'g1', gradientStatus: 'READY' },
      { externalId: 'g2', gradientStatus: 'READY' },
    ]);
  });

  it('createInfluenceQueriesFromJsonl takes the queries as JSONL, naming a bad line before storing anything', async () => {
    const before = await p.scratch.db.prisma.query.count();
    const line = (q: object) => JSON.stringify(JSON.stringify(q)).slice(1, -1);
    const bad = await postGraphQL(
      server.url,
      `mutation { createInfluenceQueriesFromJsonl(model: "tiny", factorSet: "ek", spaces: ["default"], jsonl: "${line({ id: 'j1', prompt: 'Doc 3', completion: ': Danu' })}\\n{oops") { id } }`,
      { token: curator },
    );
    expect(bad.json.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.json.errors![0]!.message).toMatch(/^jsonl:2: invalid JSON/);
    expect(await p.scratch.db.prisma.query.count()).toBe(before);
    const made = await gql(
      `mutation { createInfluenceQueriesFromJsonl(model: "tiny", factorSet: "ek", spaces: ["default"], jsonl: "${line({ id: 'j1', prompt: 'Doc 3', completion: ': Danu', kind: 'control', task: 'reading' })}") { externalId kind tags gradientStatus } }`,
    );
    expect(made.createInfluenceQueriesFromJsonl).toEqual([{ externalId: 'j1', kind: 'CONTROL', tags: ['reading'], gradientStatus: 'PENDING' }]);
  });

  it('scoreCorpus queues score-corpus jobs; the analyses then state the cached basis, and answerInTopK the labels', async () => {
    const [g1] = await p.scratch.db.prisma.query.findMany({ where: { externalId: 'g1' } });
    const id = toGlobalId('InfluenceQuery', g1!.id);
    const analysis = `{ answerInTopK(queryIds: ["${id}"], factorSet: "ek", space: "default", k: 3) {
      basis { method cached documents factorSet space } results { found documents { documentId rank labels { task annotator value version } } } } }`;
    const before = (await gql(analysis)).answerInTopK as { basis: Record<string, unknown> };
    expect(before.basis).toEqual({ method: 'PROJECTED', cached: false, documents: 30, factorSet: 'ek', space: 'default' });

    const scored = (
      await gql(`mutation { scoreCorpus(queryIds: ["${id}"], space: "default", factorSet: "ek", method: PROJECTED) { method documents jobIds alreadyCached } }`)
    ).scoreCorpus as {
      method: string;
      documents: number;
      jobIds: string[];
      alreadyCached: number;
    };
    expect(scored).toMatchObject({ method: 'PROJECTED', documents: 30, alreadyCached: 0 });
    expect(scored.jobIds).toHaveLength(1);
    await waitFor(
      'the score-corpus job',
      async () => (await p.services.jobQueue.status(SCORE_CORPUS, fromJobGlobalId(scored.jobIds[0]!)))?.state === 'completed',
    );
    // the job shows in the job views as every job does
    const job = (await gql(`{ job(id: "${scored.jobIds[0]}") { queue state } }`)).job;
    expect(job).toEqual({ queue: 'SCORE_CORPUS', state: 'COMPLETED' });

    const [rank1] = (await p.services.influenceAnalysis.answerInTopK({ queryIds: [g1!.id], factorSet: p.factorSet, space: p.space, k: 1 })).results[0]!
      .documents;
    const user = await p.scratch.db.prisma.user.create({ data: { name: 'ann', role: 'ANNOTATOR' } });
    const task = await p.scratch.db.prisma.labelTask.create({ data: { name: 'relevant', question: 'Does it state the answer?', kind: 'BINARY' } });
    await p.scratch.db.prisma.label.create({ data: { taskId: task.id, documentId: rank1!.documentId, annotatorId: user.id, value: true } });

    const after = (await gql(analysis)).answerInTopK as {
      basis: Record<string, unknown>;
      results: { found: boolean; documents: { rank: number; labels: unknown[] }[] }[];
    };
    expect(after.basis).toEqual({ method: 'PROJECTED', cached: true, documents: 30, factorSet: 'ek', space: 'default' });
    expect(after.results[0]!.found).toBe(true);
    expect(after.results[0]!.documents[0]).toMatchObject({ rank: 1, labels: [{ task: 'relevant', annotator: 'ann', value: true, version: 1 }] });
    expect(after.results[0]!.documents.slice(1).every((d) => d.labels.length === 0)).toBe(true);

    const bad = await postGraphQL(server.url, `mutation { scoreCorpus(queryIds: ["${id}"], space: "nope", factorSet: "ek") { documents } }`, {
      token: curator,
    });
    expect(bad.json.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});
