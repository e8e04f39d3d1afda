import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import PgBoss from 'pg-boss';

import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { toGlobalId } from '../../src/api/relay/global-id';
import { toJobGlobalId } from '../../src/api/types/job-global-id';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { DEAD_LETTER, PROJECT_DOCUMENTS } from '../../src/domain/queue-name';
import { JOB_SCHEMA } from '../../src/jobs/pg-boss-tables.adapter';
import { pgBossDb } from '../../src/jobs/pg-boss.adapter';
import { createServices, type Services } from '../../src/services/service-container';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase, testBackends, type ScratchDatabase } from '../support/test-database';

jest.setTimeout(600_000);

interface JobNode {
  id: string;
  jobId: string;
  queue: string;
  queueName: string;
  state: string;
  retryCount: number;
  retryLimit: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
  input: { corpus: string | null; corpusId: string | null; space: string | null; model: string | null; documentCount: number } | null;
  progress: { projected: number; total: number } | null;
  result: { projected: number } | null;
  archived: boolean;
}
interface JobPage {
  edges: { cursor: string; node: JobNode }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const JOB_FIELDS =
  'id jobId queue queueName state retryCount retryLimit createdAt startedAt completedAt error input { corpus corpusId space model documentCount } progress { projected total } result { projected } archived';

describe.each(testBackends())('jobs in GraphQL on %s', (kind) => {
  let scratch: ScratchDatabase;
  let services: Services;
  let server: RunningGraphQLServer;
  let token: string;
  let boss: PgBoss;
  let corpusId: number;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
    await services.modelRegistry.register(writeTinyCheckpoint(tinyConfig(), { seed: 5 }).dir, { name: 'tiny' });
    const dir = mkdtempSync(path.join(tmpdir(), 'tb-jobs-'));
    writeFileSync(path.join(dir, 'c.jsonl'), Array.from({ length: 7 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `document number ${i}` })).join('\n'));
    await services.corpusImport.importFile('c', path.join(dir, 'c.jsonl'));
    corpusId = (await scratch.db.prisma.corpus.findFirstOrThrow({ where: { name: 'c' } })).id;
    token = (await services.auth.createToken({ userName: 'cur', tokenName: 't', role: 'CURATOR' })).token;
    server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, services);
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, close: false, wait: true } as PgBoss.StopOptions);
    await server.stop();
    await services.jobQueue.stop(false);
    await scratch.drop();
  });

  const ask = async (q: string, variables?: Record<string, unknown>) => (await postGraphQL(server.url, q, { token, ...(variables ? { variables } : {}) })).json;
  const jobs = async (args: string): Promise<JobPage> => {
    const json = await ask(`{ jobs${args} { edges { cursor node { ${JOB_FIELDS} } } pageInfo { hasNextPage endCursor } } }`);
    expect(json.errors).toBeUndefined();
    return json.data!.jobs as JobPage;
  };
  const job = async (id: string): Promise<JobNode> => {
    const json = await ask(`query J($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id });
    expect(json.errors).toBeUndefined();
    return json.data!.job as JobNode;
  };

  it('lists no jobs before the queue is installed', async () => {
    expect(await jobs('')).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('lists an ingestion’s queued batches newest first, page by page, with their input and progress', async () => {
    const started = await ask('mutation { startIngestion(corpus: "c", model: "tiny", space: "s", rank: 2, sketchDims: 4, batchSize: 3) { jobs { created } } }');
    expect(started.errors).toBeUndefined();
    const first = await jobs('(first: 2)');
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await jobs(`(first: 2, after: "${first.pageInfo.endCursor}")`);
    expect(rest.edges).toHaveLength(1);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const nodes = [...first.edges, ...rest.edges].map((e) => e.node);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(3);
    // newest first: creation times do not increase along the pages
    const times = nodes.map((n) => Date.parse(n.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const n of nodes) {
      expect(n).toMatchObject({
        queue: 'PROJECT_DOCUMENTS',
        queueName: PROJECT_DOCUMENTS,
        state: 'CREATED',
        retryCount: 0,
        retryLimit: 10,
        startedAt: null,
        completedAt: null,
        error: null,
        result: null,
        archived: false,
        input: { corpus: 'c', corpusId: toGlobalId('Corpus', corpusId), space: 's', model: 'tiny' },
      });
      expect(n.progress).toEqual({ projected: 0, total: n.input!.documentCount });
      // the global ID encodes the queue's own job id, which the queue knows in the same state
      expect(n.id).toBe(toJobGlobalId(n.jobId));
      expect((await services.jobQueue.status(PROJECT_DOCUMENTS, n.jobId))?.state).toBe('created');
    }
    // batches of 3, 3 and 1 documents: the oldest batch holds the first three documents
    expect(nodes.map((n) => n.input!.documentCount)).toEqual([1, 3, 3]);
    expect(await job(nodes[2]!.id)).toEqual(nodes[2]);
  });

  it('follows a batch through a worker’s fetch and a failed try, and a job that fails for good into the dead-letter queue', async () => {
    boss = new PgBoss({ db: pgBossDb(scratch.db.sql), schema: JOB_SCHEMA, supervise: false, schedule: false, migrate: false });
    boss.on('error', () => undefined);
    await boss.start();
    const [fetched] = await boss.fetch(PROJECT_DOCUMENTS);
    expect(fetched).toBeDefined();
    const active = await job(toJobGlobalId(fetched!.id));
    expect(active.state).toBe('ACTIVE');
    expect(Date.parse(active.startedAt!)).toBeGreaterThanOrEqual(Date.parse(active.createdAt));

    await boss.fail(PROJECT_DOCUMENTS, fetched!.id, new Error('the engine ran out of memory'));
    const retried = await job(active.id);
    // the queue counts a retry when it starts
    expect(retried).toMatchObject({ state: 'RETRY', retryCount: 0, error: 'the engine ran out of memory', completedAt: null });

    // a batch with no retries left fails for good; the queue copies it, with the error, to the dead-letter queue
    // (sent with a higher priority, so that it is the one fetched)
    const doomedId = await boss.send(PROJECT_DOCUMENTS, { corpusId, spaceId: 999, documentIds: [1, 2] }, { retryLimit: 0, priority: 10 });
    const [doomed] = await boss.fetch(PROJECT_DOCUMENTS);
    expect(doomed?.id).toBe(doomedId);
    await boss.fail(PROJECT_DOCUMENTS, doomedId!, new Error('no such projection space'));
    const failed = await jobs('(state: FAILED)');
    expect(failed.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        jobId: doomedId,
        state: 'FAILED',
        retryLimit: 0,
        error: 'no such projection space',
        input: expect.objectContaining({ corpus: 'c', space: null, documentCount: 2 }),
      }),
    ]);
    expect(failed.edges[0]!.node.completedAt).not.toBeNull();
    const dead = await jobs('(queue: DEAD_LETTER)');
    expect(dead.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        queue: 'DEAD_LETTER',
        queueName: DEAD_LETTER,
        state: 'CREATED',
        error: 'no such projection space',
        progress: null,
        input: expect.objectContaining({ documentCount: 2 }),
      }),
    ]);
    // filters combine; every job is in exactly one state
    expect((await jobs('(queue: DEAD_LETTER, state: FAILED)')).edges).toEqual([]);
    const counts = await Promise.all(
      ['CREATED', 'RETRY', 'ACTIVE', 'COMPLETED', 'CANCELLED', 'FAILED'].map(async (s) => (await jobs(`(state: ${s}, first: 100)`)).edges.length),
    );
    expect(counts).toEqual([3, 1, 0, 0, 0, 1]); // 2 batches + the dead letter queued, 1 retried, 1 failed
  });

  it('answers NOT_FOUND for an unknown job and BAD_USER_INPUT for malformed IDs, cursors and page sizes', async () => {
    const code = async (q: string) => (await ask(q)).errors?.[0]?.extensions?.code;
    expect(await code(`{ job(id: "${toJobGlobalId(randomUUID())}") { state } }`)).toBe('NOT_FOUND');
    expect(await code('{ job(id: "not-an-id") { state } }')).toBe('BAD_USER_INPUT');
    const other = await ask(`{ job(id: "${toGlobalId('Corpus', corpusId)}") { state } }`);
    expect(other.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(other.errors![0]!.message).toMatch(/is a Corpus, not a Job/);
    expect(await code(`{ job(id: "${Buffer.from('Job:123').toString('base64url')}") { state } }`)).toBe('BAD_USER_INPUT');
    expect(await code('{ jobs(first: 101) { edges { cursor } } }')).toBe('BAD_USER_INPUT');
    expect(await code('{ jobs(first: 0) { edges { cursor } } }')).toBe('BAD_USER_INPUT');
    expect(await code('{ jobs(after: "bm9wZQ") { edges { cursor } } }')).toBe('BAD_USER_INPUT');
    expect(await code('{ jobs(state: DONE) { edges { cursor } } }')).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('reports the ingestion rate and ETA from when its vectors were stored', async () => {
    const spaceRow = await scratch.db.prisma.projectionSpace.findFirstOrThrow({ where: { name: 's' } });
    const docs = await scratch.db.prisma.document.findMany({ where: { corpusId }, orderBy: { id: 'asc' } });
    // three commits, 30, 20 and 10 s ago, of 2, 1 and 3 documents with 10 tokens each (one statement: one now())
    await scratch.db.sql.query(
      `INSERT INTO document_projections (space_id, document_id, sketch, loss, token_count, gradient_norm, created_at)
       SELECT $1, d, '[1,0,0,0]'::halfvec, 1, 10, 1, now() - make_interval(secs => ago) FROM unnest($2::int[], $3::float8[]) AS t(d, ago)`,
      [spaceRow.id, docs.slice(0, 6).map((d) => d.id), [30, 30, 20, 10, 10, 10]],
    );
    const json = await ask('{ ingestion(corpus: "c", model: "tiny", space: "s") { projected total documentsPerSecond tokensPerSecond etaSeconds } }');
    expect(json.errors).toBeUndefined();
    const s = json.data!.ingestion as { projected: number; total: number; documentsPerSecond: number; tokensPerSecond: number; etaSeconds: number };
    expect(s).toMatchObject({ projected: 6, total: 7 });
    // jobs are left, so the window runs to now: 4 documents after the first commit over ≥ 30 s
    expect(s.documentsPerSecond).toBeLessThanOrEqual(4 / 30);
    expect(s.documentsPerSecond).toBeGreaterThan(4 / 60);
    expect(s.tokensPerSecond).toBeCloseTo(10 * s.documentsPerSecond, 9);
    expect(s.etaSeconds).toBe(Math.ceil(1 / s.documentsPerSecond));

    // once no job is left to run, the window ends at the last commit, and there is no ETA
    expect((await ask('mutation { cancelIngestion(corpus: "c", model: "tiny", space: "s") { total } }')).errors).toBeUndefined();
    const done = (
      await ask('{ ingestion(corpus: "c", model: "tiny", space: "s") { jobs { created retry active } documentsPerSecond tokensPerSecond etaSeconds } }')
    ).data!.ingestion;
    expect(done).toEqual({
      jobs: { created: 0, retry: 0, active: 0 },
      documentsPerSecond: expect.closeTo(4 / 20, 3),
      tokensPerSecond: expect.closeTo(40 / 20, 3),
      etaSeconds: null,
    });
  });
});
