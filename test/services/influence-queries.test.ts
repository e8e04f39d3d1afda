import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { PROJECT_DOCUMENTS } from '../../src/jobs/job-names';
import { JobQueue } from '../../src/jobs/job-queue';
import { DocumentProjectionRepository } from '../../src/repositories/document-projection.repository';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import { createServices, type Services } from '../../src/services/service-container';
import { startWorker } from '../../src/worker/worker';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
const TEXTS = Array.from({ length: 30 }, (_, i) => `Doc ${i}: Velor, Danu ${i % 7} and ${'more '.repeat(i % 4)}`);

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe.each(testBackends())('influence queries on %s', (kind) => {
  let scratch: ScratchDatabase;
  let services: Services;
  let factorsDir: string;
  let spaceId: number;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
    const { dir: modelDir } = writeTinyCheckpoint(tinyConfig(), { seed: 21 });
    await services.modelRegistry.register(modelDir, { name: 'tiny' });
    const work = mkdtempSync(path.join(tmpdir(), 'tb-queries-'));
    const corpusFile = path.join(work, 'c.jsonl');
    writeFileSync(corpusFile, TEXTS.map((text, i) => JSON.stringify({ id: `d${i}`, text, source: i % 3 === 0 ? 'wiki' : 'code' })).join('\n'));
    await services.corpusImport.importFile('c', corpusFile);
    factorsDir = path.join(work, 'factors');
    const fit = spawnSync(process.execPath, ['bin/tracebase.js', 'factors', 'fit', '--model', modelDir, '--corpus', corpusFile, '--out', factorsDir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1' },
    });
    expect(fit.stderr).toBe('');
    expect(fit.status).toBe(0);
    const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 'default', outRank: 4, inRank: 4, sketchDims: 24, seed: 3 });
    spaceId = space.id;
    const queue = new JobQueue(scratch.db, { pollingIntervalSeconds: 0.5 });
    await queue.start();
    await services.ingestion.enqueue(queue, 'c', space, 10);
    await startWorker(queue, services, { concurrency: 1 });
    while ((await queue.pending(PROJECT_DOCUMENTS)) > 0) await new Promise((r) => setTimeout(r, 300));
    await queue.stop();
    await services.ingestion.finalize(space);
  });
  afterAll(() => scratch.drop());

  it('stores queries with nats, M and vectors, and RERANKED equals a brute-force ranking of the stored vectors', async () => {
    const { record: factorSet } = await services.factorSets.register('tiny', factorsDir, 'ek');
    expect(factorSet.strategy).toBe('EKFAC');
    const created = await services.queries.create('tiny', [
      { externalId: 'q1', prompt: 'Velor: ', completion: 'Danu 3', kind: 'FACTUAL', answerKeywords: ['Danu'] },
      { externalId: 'q2', prompt: 'Doc 5', completion: ': more', kind: 'OTHER' },
    ]);
    const results = await services.queryGradients.compute(created.map((c) => c.record.id), factorSet.id, [spaceId]);
    expect(results.every((r) => r.nats > 0)).toBe(true);

    const vectors = new QueryVectorRepository(scratch.db.sql);
    const gradient = (await vectors.findGradient(created[0]!.record.id, factorSet.id))!;
    expect(gradient.nats).toBeCloseTo(results[0]!.nats, 4);
    const y = (await vectors.findProjection(gradient.id, spaceId))!;
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await new DocumentProjectionRepository(scratch.db.sql).findByDocuments(spaceId, docs.map((d) => d.id));
    const truth = stored.map((r) => ({ id: r.documentId, score: dot(y.full, r.full!) })).sort((a, b) => b.score - a.score);

    for (const sign of ['POSITIVE', 'NEGATIVE'] as const) {
      const ranking = await services.influenceSearch.topInfluences({ queryId: created[0]!.record.id, factorSetId: factorSet.id, spaceId, k: 5, sign, mode: 'RERANKED' });
      const expected = sign === 'POSITIVE' ? truth.slice(0, 5) : truth.slice(-5).reverse();
      expect(ranking.hits.map((h) => h.documentId)).toEqual(expected.map((t) => t.id));
      ranking.hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(expected[i]!.score, 2);
        expect(h.perNat).toBeCloseTo(h.score / gradient.nats, 6);
        expect(h.rank).toBe(i + 1);
      });
    }
    const ann = await services.influenceSearch.topInfluences({ queryId: created[0]!.record.id, factorSetId: factorSet.id, spaceId, k: 5, sign: 'POSITIVE', mode: 'ANN' });
    expect(ann.hits).toHaveLength(5);
    expect(ann.mode).toBe('ANN');
  });

  it('computes the whole-corpus analyses from the stored vectors, as naive references do', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const [q1, q2] = await scratch.db.prisma.query.findMany({ where: { externalId: { in: ['q1', 'q2'] } }, orderBy: { id: 'asc' } });
    const vectors = new QueryVectorRepository(scratch.db.sql);
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await new DocumentProjectionRepository(scratch.db.sql).findByDocuments(spaceId, docs.map((d) => d.id));
    const scoresOf = async (queryId: number) => {
      const g = (await vectors.findGradient(queryId, factorSet.id))!;
      const y = (await vectors.findProjection(g.id, spaceId))!;
      return { nats: g.nats, scores: stored.map((r) => dot(y.full, r.full!)) };
    };
    const a = await scoresOf(q1!.id);
    const b = await scoresOf(q2!.id);
    const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
    const ma = mean(a.scores);
    const mb = mean(b.scores);
    const cov = a.scores.reduce((s, v, i) => s + (v - ma) * (b.scores[i]! - mb), 0);
    const naivePearson = cov / Math.sqrt(a.scores.reduce((s, v) => s + (v - ma) ** 2, 0) * b.scores.reduce((s, v) => s + (v - mb) ** 2, 0));

    const analysis = services.influenceAnalysis;
    const corr = await analysis.correlation([q1!.id, q2!.id], 'pearson', factorSet.id, spaceId);
    expect(corr.basis).toMatchObject({ method: 'PROJECTED', documents: stored.length });
    expect(corr.matrix[0]![0]).toBeCloseTo(1, 6);
    expect(corr.matrix[0]![1]).toBeCloseTo(naivePearson, 3);

    const dist = await analysis.distribution(q1!.id, factorSet.id, spaceId);
    const positive = a.scores.filter((v) => v > 0);
    expect(dist.totalPositivePerNat).toBeCloseTo(positive.reduce((x, y) => x + y, 0) / a.nats, 3);
    expect(dist.positiveDocuments).toBe(positive.length);
    expect(dist.cumulativeShare.at(-1)!.share).toBeCloseTo(1, 6);

    const order = a.scores.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]).map(([, i]) => i);
    const top5 = order.slice(0, 5).map((i) => docs[i]!);
    const answer = await analysis.answerInTopK([q1!.id], 5, factorSet.id, spaceId);
    const expectedHits = top5.map((d, r) => ({ d, r: r + 1 })).filter(({ d }) => d.text.toLowerCase().includes('danu')).map(({ d, r }) => ({ documentId: d.id, rank: r }));
    expect(answer.results[0]).toMatchObject({ found: expectedHits.length > 0, documents: expectedHits });

    const over = await analysis.sourceOverRepresentation([q1!.id], [6], 'positive', factorSet.id, spaceId);
    const wikiShareCorpus = docs.filter((d) => d.source === 'wiki').length / docs.length;
    const wikiShareTop = order.slice(0, 6).filter((i) => docs[i]!.source === 'wiki').length / 6;
    expect(over.rows.find((r) => r.source === 'wiki')!.ratio).toBeCloseTo(wikiShareTop / wikiShareCorpus, 6);
  });

  it('EXACT recomputes the candidates\' EK-FAC influence, with layer and token scores that sum to it, and caches it', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const [q1] = await scratch.db.prisma.query.findMany({ where: { externalId: 'q1' } });
    const input = { queryId: q1!.id, factorSetId: factorSet.id, spaceId, k: 3, sign: 'POSITIVE' as const, mode: 'EXACT' as const };
    const exact = await services.influenceSearch.topInfluences(input);
    expect(exact.mode).toBe('EXACT');
    expect(exact.candidates).toBe(20);
    expect(exact.hits).toHaveLength(3);
    for (const h of exact.hits) {
      const layerSum = h.layerScores!.reduce((a, b) => a + b, 0);
      const tokenSum = h.tokenScores!.reduce((a, b) => a + b, 0);
      expect(layerSum).toBeCloseTo(h.score, 4);
      expect(Math.abs(tokenSum - h.score)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(h.score)));
      expect(h.perNat).toBeCloseTo(h.score / exact.nats, 6);
    }
    expect(exact.hits[0]!.score).toBeGreaterThanOrEqual(exact.hits[1]!.score);
    const cached = await scratch.db.prisma.influenceScore.count({ where: { queryId: q1!.id, method: 'EXACT' } });
    expect(cached).toBe(20);
    const again = await services.influenceSearch.topInfluences(input);
    expect(again.hits.map((h) => [h.documentId, h.score])).toEqual(exact.hits.map((h) => [h.documentId, h.score]));
    expect(await scratch.db.prisma.influenceScore.count({ where: { queryId: q1!.id, method: 'EXACT' } })).toBe(20);
  });

  it('in a full-rank eigenbasis space, the projected score equals the exact EK-FAC influence', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    // ranks above the layer sizes are clamped: P = Q_Sᵀ, R = Q_Aᵀ in full, so ⟨y_q, x_d⟩ = Σ_ℓ ⟨M_ℓ, G_ℓ(d)⟩
    const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 'eigen-full', outRank: 1000, inRank: 1000, sketchDims: 512, seed: 0, kind: 'eigenbasis', factorSetName: 'ek' });
    expect(space.kind).toBe('EIGENBASIS');
    const queue = new JobQueue(scratch.db, { pollingIntervalSeconds: 0.5 });
    await queue.start();
    await services.ingestion.enqueue(queue, 'c', space, 10);
    await startWorker(queue, services, { concurrency: 1 });
    while ((await queue.pending(PROJECT_DOCUMENTS)) > 0) await new Promise((r) => setTimeout(r, 300));
    await queue.stop();
    await services.ingestion.finalize(space);
    const [q1] = await scratch.db.prisma.query.findMany({ where: { externalId: 'q1' } });
    await services.queryGradients.compute([q1!.id], factorSet.id, [space.id]);
    const projected = await services.influenceSearch.topInfluences({ queryId: q1!.id, factorSetId: factorSet.id, spaceId: space.id, k: 8, sign: 'POSITIVE', mode: 'RERANKED' });
    const exact = await services.exactInfluence.score({ queryId: q1!.id, factorSetId: factorSet.id, spaceId: space.id, documentIds: projected.hits.map((h) => h.documentId), sign: 'POSITIVE' });
    const exactById = new Map(exact.map((e) => [e.documentId, e.score]));
    for (const h of projected.hits) {
      const e = exactById.get(h.documentId)!;
      expect(Math.abs(h.score - e)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(e)));
    }
  });

  it('refuses queries the model cannot score before storing any of them', async () => {
    const before = await scratch.db.prisma.query.count();
    await expect(services.queries.create('tiny', [{ prompt: 'ok', completion: 'fine' }, { prompt: 'x', completion: '' }])).rejects.toThrow(/completion is empty/);
    await expect(services.queries.create('tiny', [{ prompt: 'p', completion: 'x'.repeat(40) }])).rejects.toThrow(/context \(n_positions\) allows 16/);
    expect(await scratch.db.prisma.query.count()).toBe(before);
  });

  it('serves createInfluenceQueries and topInfluences over GraphQL', async () => {
    const curator = (await services.auth.createToken({ userName: 'cur', tokenName: 't', role: 'CURATOR' })).token;
    const server: RunningGraphQLServer = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production' }, services);
    try {
      const made = await postGraphQL(
        server.url,
        'mutation { createInfluenceQueries(model: "tiny", factorSet: "ek", spaces: ["default"], queries: [{ externalId: "g1", prompt: "Velor: ", completion: "Danu 1", kind: FACTUAL }]) { id kind } }',
        { token: curator },
      );
      expect(made.json.errors).toBeUndefined();
      const id = (made.json.data!.createInfluenceQueries as { id: string }[])[0]!.id;
      const top = await postGraphQL(
        server.url,
        `{ influenceQuery(id: "${id}") { prompt topInfluences(factorSet: "ek", space: "default", k: 3) { mode nats candidates edges { rank score perNat document { externalId } } } } }`,
        { token: curator },
      );
      expect(top.json.errors).toBeUndefined();
      const ranking = (top.json.data!.influenceQuery as { topInfluences: { mode: string; nats: number; edges: { rank: number; score: number; document: { externalId: string } }[] } }).topInfluences;
      expect(ranking.mode).toBe('RERANKED');
      expect(ranking.nats).toBeGreaterThan(0);
      expect(ranking.edges.map((e) => e.rank)).toEqual([1, 2, 3]);
      expect(ranking.edges[0]!.score).toBeGreaterThanOrEqual(ranking.edges[1]!.score);
      const badK = await postGraphQL(server.url, `{ influenceQuery(id: "${id}") { topInfluences(factorSet: "ek", space: "default", k: 5000) { nats } } }`, { token: curator });
      expect(badK.json.errors![0]!.extensions!.code).toMatch(/BAD_USER_INPUT|QUERY_TOO_COMPLEX/);
      const noSpace = await postGraphQL(server.url, `{ influenceQuery(id: "${id}") { topInfluences(factorSet: "ek", space: "nope") { nats } } }`, { token: curator });
      expect(noSpace.json.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    } finally {
      await server.stop();
    }
  });
});
