import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { ROLE_ORDER } from '../../src/auth/role';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { createServices, type Services } from '../../src/services/service-container';
import { startWorker } from '../../src/worker/worker';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

jest.setTimeout(600_000);

type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** A subscription's results as they arrive, and how it ended. */
interface Watch {
  readonly results: Result[];
  /** Resolves on completion; rejects with what the client reports (a close event, or errors). */
  readonly ended: Promise<void>;
  readonly unsubscribe: () => void;
}

function wsUrl(server: RunningGraphQLServer): string {
  return server.url.replace(/^http/, 'ws');
}

function connect(server: RunningGraphQLServer, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url: wsUrl(server), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...(connectionParams ? { connectionParams } : {}) });
}

function watch(client: Client, query: string, onResult: (r: Result) => void = () => undefined, variables?: Record<string, unknown>): Watch {
  const results: Result[] = [];
  let unsubscribe = () => undefined as void;
  const ended = new Promise<void>((resolve, reject) => {
    unsubscribe = client.subscribe<Record<string, unknown>>(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (r) => {
          results.push(r);
          onResult(r);
        },
        error: reject,
        complete: resolve,
      },
    );
  });
  return { results, ended, unsubscribe };
}

/** The close event a refused connection ends with. */
async function closeEventOf(promise: Promise<void>): Promise<{ code: number; reason: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { code: number; reason: string };
  }
  throw new Error('the subscription was not refused');
}

interface IngestionValue {
  projected: number;
  total: number;
  jobs: { created: number; active: number; completed: number };
  documentsPerSecond: number | null;
  tokensPerSecond: number | null;
  etaSeconds: number | null;
}

const INGESTION = (space: string) =>
  `subscription { ingestionProgress(corpus: "c", model: "tiny", space: "${space}") { projected total jobs { created active completed } documentsPerSecond tokensPerSecond etaSeconds } }`;

describe('subscriptions over graphql-ws (embedded)', () => {
  let scratch: ScratchDatabase;
  let services: Services;
  let server: RunningGraphQLServer;
  const tokens = new Map<string, string>();
  const clients: Client[] = [];
  let oldestJobId = '';

  beforeAll(async () => {
    scratch = await createScratchDatabase('pglite');
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
    await services.modelRegistry.register(writeTinyCheckpoint(tinyConfig(), { seed: 7 }).dir, { name: 'tiny' });
    const dir = mkdtempSync(path.join(tmpdir(), 'tb-subscriptions-'));
    writeFileSync(path.join(dir, 'c.jsonl'), Array.from({ length: 9 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `document number ${i}` })).join('\n'));
    await services.corpusImport.importFile('c', path.join(dir, 'c.jsonl'));
    for (const role of ROLE_ORDER) tokens.set(role, (await services.auth.createToken({ userName: `user-${role}`, tokenName: 'ws', role })).token);
    server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, services);
    const started = await postGraphQL(
      server.url,
      'mutation { startIngestion(corpus: "c", model: "tiny", space: "s", rank: 2, sketchDims: 4, batchSize: 3) { jobs { created } } }',
      {
        token: tokens.get('CURATOR'),
      },
    );
    expect(started.json.data).toEqual({ startIngestion: { jobs: { created: 3 } } });
    const page = await postGraphQL(server.url, '{ jobs(first: 3) { edges { node { id } } } }', { token: tokens.get('VIEWER') });
    const edges = (page.json.data!.jobs as { edges: { node: { id: string } }[] }).edges;
    oldestJobId = edges[edges.length - 1]!.node.id; // newest first: the last is the first batch sent, the first a worker takes
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await server.stop();
    await services.jobQueue.stop(false);
    await scratch.drop();
  });

  const viewerClient = () => {
    const c = connect(server, { Authorization: `Bearer ${tokens.get('VIEWER')}` });
    clients.push(c);
    return c;
  };

  it('refuses a connection without a token, or with a bad one, with close code 4401', async () => {
    const anonymous = connect(server);
    clients.push(anonymous);
    const refused = await closeEventOf(watch(anonymous, INGESTION('s')).ended);
    expect(refused.code).toBe(4401);
    expect(refused.reason).toMatch(/authentication required/);
    const bad = connect(server, { Authorization: 'Bearer tb_AAAAAAAA_' + 'A'.repeat(40) });
    clients.push(bad);
    const unknown = await closeEventOf(watch(bad, INGESTION('s')).ended);
    expect(unknown).toMatchObject({ code: 4401, reason: expect.stringMatching(/unknown, revoked or expired/) });
  });

  it('lets every role subscribe (viewer and up), and ends a stream when the ingestion has no job', async () => {
    for (const role of ROLE_ORDER) {
      const c = connect(server, { Authorization: `Bearer ${tokens.get(role)}` });
      clients.push(c);
      // no such space: the error comes with its code, then the stream ends
      const w = watch(c, INGESTION('none'));
      await w.ended;
      expect(w.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['NOT_FOUND']);
    }
  });

  it('refuses queries over WebSocket, subscriptions over HTTP, and applies the depth and cost limits', async () => {
    const c = viewerClient();
    const query = watch(c, '{ health { database } }');
    await expect(query.ended).rejects.toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
    const overHttp = await postGraphQL(server.url, INGESTION('s'), { token: tokens.get('VIEWER') });
    expect(overHttp.status).toBe(400);
    expect(overHttp.json.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    expect(overHttp.json.errors![0]!.message).toMatch(/WebSocket/);

    const strict = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production', maxQueryDepth: 2, maxQueryCost: 20 }, services);
    try {
      const sc = connect(strict, { Authorization: `Bearer ${tokens.get('VIEWER')}` });
      const deep = watch(sc, 'subscription { ingestionProgress(corpus: "c", model: "tiny", space: "s") { jobs { created } } }');
      await expect(deep.ended).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP' }) })]);
      const fields = Array.from({ length: 25 }, (_, i) => `a${i}: total`).join(' ');
      const costly = watch(sc, `subscription { ingestionProgress(corpus: "c", model: "tiny", space: "s") { ${fields} } }`);
      await expect(costly.ended).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) })]);
      const badVariable = watch(sc, 'subscription($c: String!) { ingestionProgress(corpus: $c, model: "tiny", space: "s") { total } }', undefined, { c: 7 });
      await expect(badVariable.ended).rejects.toEqual([
        expect.objectContaining({ message: expect.stringMatching(/\$c/), extensions: { code: 'BAD_USER_INPUT' } }),
      ]);
      await sc.dispose();
    } finally {
      await strict.stop();
    }
  });

  it('closes subscribers’ connections when the server stops, which stops their polling', async () => {
    const other = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, services);
    const c = connect(other, { Authorization: `Bearer ${tokens.get('VIEWER')}` });
    clients.push(c);
    let first!: () => void;
    const gotFirst = new Promise<void>((resolve) => (first = resolve));
    const w = watch(c, `subscription { jobProgress(id: "${oldestJobId}") { state } }`, () => first());
    await gotFirst;
    expect(w.results).toEqual([{ data: { jobProgress: { state: 'CREATED' } } }]);
    expect(services.jobProgress.activeWatches).toBe(1);
    const closed = closeEventOf(w.ended);
    await other.stop();
    expect((await closed).code).toBe(1001);
    expect(services.jobProgress.activeWatches).toBe(0);
  });

  it('streams an ingestion’s progress while a worker projects it, and completes when its jobs are done', async () => {
    // a worker takes its next job as soon as one is done: each batch is held for longer than a
    // progress poll (1 s) after its commit, so that the stream sees the batches land one by one
    const store = services.ingestion.store.bind(services.ingestion);
    const held = jest.spyOn(services.ingestion, 'store').mockImplementation(async (spaceId, records) => {
      const stored = await store(spaceId, records);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      return stored;
    });
    const c = viewerClient();
    let workerStarted: Promise<unknown> | undefined;
    const ingestion = watch(c, INGESTION('s'), () => {
      workerStarted ??= startWorker(services.jobQueue, services, { concurrency: 1 });
    });
    const job = watch(c, `subscription { jobProgress(id: "${oldestJobId}") { state progress { projected total } result { projected } } }`);
    await Promise.all([ingestion.ended, job.ended]);
    await workerStarted;
    held.mockRestore();

    expect(ingestion.results.every((r) => r.errors === undefined)).toBe(true);
    const values = ingestion.results.map((r) => r.data!.ingestionProgress as IngestionValue);
    const projected = values.map((v) => v.projected);
    expect(projected[0]).toBe(0);
    expect(projected[projected.length - 1]).toBe(9);
    // never backwards, and seen in between: batches land one by one
    expect([...projected].sort((a, b) => a - b)).toEqual(projected);
    expect(projected.some((p) => p > 0 && p < 9)).toBe(true);
    expect(values.every((v) => v.total === 9)).toBe(true);
    const last = values[values.length - 1]!;
    expect(last.jobs).toEqual({ created: 0, active: 0, completed: 3 });
    expect(last.etaSeconds).toBeNull();
    expect(last.documentsPerSecond).toBeGreaterThan(0);
    expect(last.tokensPerSecond).toBeGreaterThan(last.documentsPerSecond!);
    // while work was left, a known rate came with an ETA
    for (const v of values.slice(0, -1)) {
      if (!v.documentsPerSecond) continue;
      // every document stored while the last job is still finishing: nothing left, no ETA
      expect(v.etaSeconds).toBe(v.projected < 9 ? Math.ceil((9 - v.projected) / v.documentsPerSecond) : null);
    }

    const states = job.results.map((r) => (r.data!.jobProgress as { state: string }).state);
    expect(states[0]).toBe('CREATED');
    expect(states[states.length - 1]).toBe('COMPLETED');
    expect(states.filter((s) => !['CREATED', 'ACTIVE', 'COMPLETED'].includes(s))).toEqual([]);
    expect(job.results[job.results.length - 1]!.data!.jobProgress).toEqual({
      state: 'COMPLETED',
      progress: { projected: 3, total: 3 },
      result: { projected: 3 },
    });
    expect(services.jobProgress.activeWatches).toBe(0);
  });
});
