import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import {
  DocumentProjectionIndexRepository,
  searchSketchIndexName,
  sketchIndexName,
} from '../../src/repositories/document-projections/document-projection-index.repository';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import { createServices, type Services } from '../../src/services/service-container';
import { startWorker } from '../../src/worker/worker';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';
import { postGraphQL } from '../support/graphql-client';
import { ingestThroughQueue } from '../support/query-platform.fixture';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';
import { dot } from '../support/vector-reference';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
const TEXTS = Array.from({ length: 30 }, (_, i) => `Doc ${i}: Velor, Danu ${i % 7} and ${'more '.repeat(i % 4)}`);

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
    expect(fit.status).toBe(0);
    expect(fit.stderr).not.toMatch(/error/i); // progress lines only
    const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 'default', outRank: 4, inRank: 4, sketchDims: 24, seed: 3 });
    spaceId = space.id;
    await ingestThroughQueue(scratch, services, 'c', space);
  });
  afterAll(() => scratch.drop());

  it('stores queries with nats, M and vectors, and RERANKED equals a brute-force ranking of the stored vectors', async () => {
    const { record: factorSet } = await services.factorSets.register('tiny', factorsDir, 'ek');
    expect(factorSet.strategy).toBe('EKFAC');
    const created = await services.queries.create('tiny', [
      { externalId: 'q1', prompt: 'Velor: ', completion: 'Danu 3', kind: 'FACTUAL', answerKeywords: ['Danu'] },
      { externalId: 'q2', prompt: 'Doc 5', completion: ': more', kind: 'OTHER' },
    ]);
    const results = await services.queryGradients.compute(
      created.map((c) => c.record.id),
      factorSet.id,
      [spaceId],
    );
    expect(results.every((r) => r.nats > 0)).toBe(true);

    const vectors = new QueryVectorRepository(scratch.db.sql);
    const gradient = (await vectors.findGradient(created[0]!.record.id, factorSet.id))!;
    expect(gradient.nats).toBeCloseTo(results[0]!.nats, 4);
    const y = (await vectors.findProjection(gradient.id, spaceId))!;
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await new DocumentProjectionWriteRepository(scratch.db.sql).findByDocuments(
      spaceId,
      docs.map((d) => d.id),
    );
    const truth = stored.map((r) => ({ id: r.documentId, score: dot(y.full, r.full!) })).sort((a, b) => b.score - a.score);

    for (const sign of ['POSITIVE', 'NEGATIVE'] as const) {
      const ranking = await services.influenceSearch.rankByIds({
        queryId: created[0]!.record.id,
        factorSetId: factorSet.id,
        spaceId,
        k: 5,
        sign,
        mode: 'RERANKED',
      });
      const expected = sign === 'POSITIVE' ? truth.slice(0, 5) : truth.slice(-5).reverse();
      expect(ranking.hits.map((h) => h.documentId)).toEqual(expected.map((t) => t.id));
      ranking.hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(expected[i]!.score, 2);
        expect(h.perNat).toBeCloseTo(h.score / gradient.nats, 6);
        expect(h.rank).toBe(i + 1);
      });
    }
    const ann = await services.influenceSearch.rankByIds({
      queryId: created[0]!.record.id,
      factorSetId: factorSet.id,
      spaceId,
      k: 5,
      sign: 'POSITIVE',
      mode: 'ANN',
    });
    expect(ann.hits).toHaveLength(5);
    expect(ann.mode).toBe('ANN');

    // the user action by names: the same ranking, with each hit's document
    const byName = await services.influenceSearch.topInfluences(created[0]!.record.id, { factorSet: 'ek', space: 'default', k: 5 });
    expect(byName).toMatchObject({ mode: 'RERANKED', sign: 'POSITIVE', normalization: 'NONE' });
    expect(byName.hits.map((h) => h.documentId)).toEqual(truth.slice(0, 5).map((t) => t.id));
    byName.hits.forEach((h) => expect(h.document).toMatchObject({ id: h.documentId, text: docs.find((d) => d.id === h.documentId)!.text }));
    await expect(services.influenceSearch.topInfluences(created[0]!.record.id, { factorSet: 'nope', space: 'default', k: 5 })).rejects.toThrow(
      'no factor set named "nope"',
    );
    await expect(services.influenceSearch.topInfluences(created[0]!.record.id, { factorSet: 'ek', space: 'nope', k: 5 })).rejects.toThrow(
      'this model has no projection space "nope"',
    );
    await expect(
      services.influenceSearch.topInfluences(created[0]!.record.id, { factorSet: 'ek', space: 'default', k: 5, mode: 'FAST' as never }),
    ).rejects.toThrow('mode must be one of ANN, RERANKED, EXACT, got FAST');
    await expect(services.influenceSearch.topInfluences(987_654, { factorSet: 'ek', space: 'default', k: 5 })).rejects.toThrow('no influence query 987654');
  });

  it('computes the whole-corpus analyses from the stored vectors, as naive references do', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const [q1, q2] = await scratch.db.prisma.query.findMany({ where: { externalId: { in: ['q1', 'q2'] } }, orderBy: { id: 'asc' } });
    const vectors = new QueryVectorRepository(scratch.db.sql);
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await new DocumentProjectionWriteRepository(scratch.db.sql).findByDocuments(
      spaceId,
      docs.map((d) => d.id),
    );
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
    const corr = await analysis.influenceCorrelation({ queryIds: [q1!.id, q2!.id], factorSet: 'ek', space: 'default', method: 'pearson' });
    expect(corr.basis).toMatchObject({ factorSetName: 'ek', spaceName: 'default' });
    expect(corr.basis).toMatchObject({ method: 'PROJECTED', documents: stored.length });
    expect(corr.matrix[0]![0]).toBeCloseTo(1, 6);
    expect(corr.matrix[0]![1]).toBeCloseTo(naivePearson, 3);

    const dist = await analysis.influenceDistribution({ queryIds: [q1!.id], factorSet: 'ek', space: 'default' });
    await expect(analysis.influenceDistribution({ queryIds: [q1!.id, q2!.id], factorSet: 'ek', space: 'default' })).rejects.toThrow(
      'influenceDistribution takes one query',
    );
    await expect(analysis.influenceDistribution({ queryIds: [q1!.id], factorSet: 'nope', space: 'default' })).rejects.toThrow('no factor set named "nope"');
    await expect(analysis.influenceDistribution({ queryIds: [q1!.id, 987_654], factorSet: 'ek', space: 'default' })).rejects.toThrow(
      'no influence query 987654',
    );
    const positive = a.scores.filter((v) => v > 0);
    expect(dist.totalPositivePerNat).toBeCloseTo(positive.reduce((x, y) => x + y, 0) / a.nats, 3);
    expect(dist.positiveDocuments).toBe(positive.length);
    expect(dist.cumulativeShare.at(-1)!.share).toBeCloseTo(1, 6);

    const order = a.scores
      .map((v, i) => [v, i] as const)
      .sort((x, y) => y[0] - x[0])
      .map(([, i]) => i);
    const top5 = order.slice(0, 5).map((i) => docs[i]!);
    const answer = await analysis.answerInTopK({ queryIds: [q1!.id], factorSet: 'ek', space: 'default', k: 5 });
    const expectedHits = top5
      .map((d, r) => ({ d, r: r + 1 }))
      .filter(({ d }) => d.text.toLowerCase().includes('danu'))
      .map(({ d, r }) => ({ documentId: d.id, rank: r }));
    expect(answer.results[0]).toMatchObject({ found: expectedHits.length > 0, documents: expectedHits });

    const over = await analysis.sourceOverRepresentation({ queryIds: [q1!.id], factorSet: 'ek', space: 'default', ks: [6], sign: 'POSITIVE' });
    expect(over.sign).toBe('POSITIVE');
    await expect(analysis.sourceOverRepresentation({ queryIds: [q1!.id], factorSet: 'ek', space: 'default', ks: [6], sign: 'UP' as never })).rejects.toThrow(
      'sign must be one of POSITIVE, NEGATIVE, got UP',
    );
    const wikiShareCorpus = docs.filter((d) => d.source === 'wiki').length / docs.length;
    const wikiShareTop = order.slice(0, 6).filter((i) => docs[i]!.source === 'wiki').length / 6;
    expect(over.rows.find((r) => r.source === 'wiki')!.ratio).toBeCloseTo(wikiShareTop / wikiShareCorpus, 6);
  });

  it("answers an unchanged request from its ranking cache, and recomputes once the space's vectors change", async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const [q2] = await scratch.db.prisma.query.findMany({ where: { externalId: 'q2' } });
    const input = { queryId: q2!.id, factorSetId: factorSet.id, spaceId, k: 3, sign: 'POSITIVE' as const, mode: 'RERANKED' as const };
    const first = await services.influenceSearch.rankByIds(input);
    // the very same object: nothing was recomputed
    expect(await services.influenceSearch.rankByIds(input)).toBe(first);
    expect(await services.influenceSearch.rankByIds({ ...input, k: 4 })).not.toBe(first);

    // a document outside the top 3 gets a vector along y_q: the next ranking must see it
    const vectors = new QueryVectorRepository(scratch.db.sql);
    const y = (await vectors.findProjection((await vectors.findGradient(q2!.id, factorSet.id))!.id, spaceId))!;
    const repo = new DocumentProjectionWriteRepository(scratch.db.sql);
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const target = docs.map((d) => d.id).find((id) => !first.hits.some((h) => h.documentId === id))!;
    const [original] = await repo.findByDocuments(spaceId, [target]);
    const full = Float32Array.from(y.full, (v) => 1000 * v);
    await repo.upsertMany(spaceId, [
      { ...original!, documentId: target, full, sketch: Float32Array.from(y.sketch, (v) => 1000 * v), gradientNorm: Math.sqrt(dot(full, full)) },
    ]);
    try {
      const after = await services.influenceSearch.rankByIds(input);
      expect(after).not.toBe(first);
      expect(after.hits[0]!.documentId).toBe(target);
    } finally {
      await repo.upsertMany(spaceId, [{ ...original!, documentId: target, full: original!.full!, sketch: original!.sketch! }]);
    }
    const restored = await services.influenceSearch.rankByIds(input);
    expect(restored.hits.map((h) => [h.documentId, h.score])).toEqual(first.hits.map((h) => [h.documentId, h.score]));
  });

  it("EXACT recomputes the candidates' EK-FAC influence, with layer and token scores that sum to it, and caches it", async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const [q1] = await scratch.db.prisma.query.findMany({ where: { externalId: 'q1' } });
    const input = { queryId: q1!.id, factorSetId: factorSet.id, spaceId, k: 3, sign: 'POSITIVE' as const, mode: 'EXACT' as const };
    // identical requests while one is computed share its computation (aliases, concurrent requests)
    const scoring = jest.spyOn(services.exactInfluence, 'score');
    const [exact, twin] = await Promise.all([services.influenceSearch.rankByIds(input), services.influenceSearch.rankByIds(input)]);
    expect(scoring).toHaveBeenCalledTimes(1);
    scoring.mockRestore();
    expect(twin).toBe(exact);
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
    const again = await services.influenceSearch.rankByIds(input);
    expect(again.hits.map((h) => [h.documentId, h.score])).toEqual(exact.hits.map((h) => [h.documentId, h.score]));
    expect(await scratch.db.prisma.influenceScore.count({ where: { queryId: q1!.id, method: 'EXACT' } })).toBe(20);

    // asked for more than the candidates hold of one sign: those of the other sign are left out
    // and counted; the two signs' candidates (of 30 documents) share at least 2c − 30 documents,
    // each of which one of the two signs leaves out
    let leftOut = 0;
    let shared = -30;
    for (const sign of ['POSITIVE', 'NEGATIVE'] as const) {
      const wide = await services.influenceSearch.rankByIds({ ...input, k: 25, sign });
      shared += wide.candidates;
      for (const h of wide.hits) expect(sign === 'POSITIVE' ? h.score > 0 : h.score < 0).toBe(true);
      expect(wide.hits.length).toBe(Math.min(25, wide.candidates - wide.oppositeSign!));
      leftOut += wide.oppositeSign!;
    }
    expect(shared).toBeGreaterThan(0);
    expect(leftOut).toBeGreaterThanOrEqual(shared);
  });

  it('normalize GRADIENT_NORM ranks by score / ‖x_d‖: RERANKED as a brute-force ranking, ANN through the normalised index, EXACT by exact score / ‖x_d‖', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const [q1] = await scratch.db.prisma.query.findMany({ where: { externalId: 'q1' } });
    const vectors = new QueryVectorRepository(scratch.db.sql);
    const gradient = (await vectors.findGradient(q1!.id, factorSet.id))!;
    const y = (await vectors.findProjection(gradient.id, spaceId))!;
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await new DocumentProjectionWriteRepository(scratch.db.sql).findByDocuments(
      spaceId,
      docs.map((d) => d.id),
    );
    // the naive reference: ⟨y, x⟩ / ‖x‖ with ‖x‖ computed here from the stored full vector
    const truth = stored
      .map((r) => {
        const norm = Math.sqrt(dot(r.full!, r.full!));
        const score = dot(y.full, r.full!);
        return { id: r.documentId, score, norm, key: norm > 0 ? score / norm : 0 };
      })
      .sort((a, b) => b.key - a.key);
    const base = { queryId: q1!.id, factorSetId: factorSet.id, spaceId, k: 5 };

    for (const sign of ['POSITIVE', 'NEGATIVE'] as const) {
      const ranking = await services.influenceSearch.rankByIds({ ...base, sign, mode: 'RERANKED', normalize: 'GRADIENT_NORM' });
      expect(ranking.normalization).toBe('GRADIENT_NORM');
      const expected = sign === 'POSITIVE' ? truth.slice(0, 5) : truth.slice(-5).reverse();
      expect(ranking.hits.map((h) => h.documentId)).toEqual(expected.map((t) => t.id));
      ranking.hits.forEach((h, i) => {
        expect(h.rank).toBe(i + 1);
        expect(h.score).toBeCloseTo(expected[i]!.score, 2);
        expect(h.gradientNorm).toBeCloseTo(expected[i]!.norm, 3);
        expect(h.normalizedScore).toBeCloseTo(expected[i]!.key, 4);
        expect(h.perNat).toBeCloseTo(h.score / gradient.nats, 6);
      });
      // norm dominance is real in this corpus: the raw ranking is another one
      const raw = await services.influenceSearch.rankByIds({ ...base, sign, mode: 'RERANKED' });
      expect(raw.normalization).toBe('NONE');
      expect(raw.hits.map((h) => h.documentId)).not.toEqual(ranking.hits.map((h) => h.documentId));
      for (const h of raw.hits) expect(h.normalizedScore).toBeCloseTo(h.score / h.gradientNorm, 6);
    }

    // ANN: the normalised index's candidates, ordered by sketch score / ‖x_d‖; the sketch-level
    // truth is ⟨y_s, x_s / ‖x_s‖⟩ over the stored (half-precision) sketches
    const sketchTruth = stored
      .map((r) => ({ id: r.documentId, key: dot(y.sketch, r.sketch!) / Math.sqrt(dot(r.sketch!, r.sketch!)) }))
      .sort((a, b) => b.key - a.key)
      .slice(0, 5)
      .map((t) => t.id);
    const ann = await services.influenceSearch.rankByIds({ ...base, sign: 'POSITIVE', mode: 'ANN', normalize: 'GRADIENT_NORM' });
    expect(ann.normalization).toBe('GRADIENT_NORM');
    expect(ann.hits).toHaveLength(5);
    expect(ann.hits.filter((h) => sketchTruth.includes(h.documentId)).length).toBeGreaterThanOrEqual(4);
    for (const h of ann.hits) {
      const x = stored.find((r) => r.documentId === h.documentId)!;
      expect(h.score).toBeCloseTo(dot(y.sketch, x.sketch!), 2);
      expect(h.normalizedScore).toBeCloseTo(h.score / h.gradientNorm, 6);
    }
    for (let i = 1; i < ann.hits.length; i++) expect(ann.hits[i - 1]!.normalizedScore).toBeGreaterThanOrEqual(ann.hits[i]!.normalizedScore);

    // EXACT: the exact I(q,d) of the normalised rerank's candidates, ordered by I(q,d) / ‖x_d‖
    const exact = await services.influenceSearch.rankByIds({ ...base, k: 3, sign: 'POSITIVE', mode: 'EXACT', normalize: 'GRADIENT_NORM' });
    expect(exact.normalization).toBe('GRADIENT_NORM');
    expect(exact.hits).toHaveLength(3);
    const cached = await scratch.db.prisma.influenceScore.findMany({
      where: { queryId: q1!.id, method: 'EXACT', documentId: { in: exact.hits.map((h) => h.documentId) } },
    });
    for (const h of exact.hits) {
      expect(h.score).toBeCloseTo(cached.find((c) => c.documentId === h.documentId)!.score, 6);
      expect(h.gradientNorm).toBeCloseTo(truth.find((t) => t.id === h.documentId)!.norm, 3);
      expect(h.normalizedScore).toBeCloseTo(h.score / h.gradientNorm, 6);
    }
    for (let i = 1; i < exact.hits.length; i++) expect(exact.hits[i - 1]!.normalizedScore).toBeGreaterThanOrEqual(exact.hits[i]!.normalizedScore);

    await expect(services.influenceSearch.rankByIds({ ...base, sign: 'POSITIVE', mode: 'RERANKED', normalize: 'COSINE' as never })).rejects.toThrow(
      /normalize must be one of NONE, GRADIENT_NORM, got COSINE/,
    );
  });

  it('layer totals per query: the projected layer blocks over every document, and the cached exact layer scores, as naive sums', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const [q1, q2] = await scratch.db.prisma.query.findMany({ where: { externalId: { in: ['q1', 'q2'] } }, orderBy: { id: 'asc' } });
    const space = (await scratch.db.prisma.projectionSpace.findUnique({ where: { id: spaceId } }))!;
    const layerRanks = space.layerRanks as { layer: string; outRank: number; inRank: number }[];
    expect(layerRanks.length).toBeGreaterThan(1);
    const vectors = new QueryVectorRepository(scratch.db.sql);
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await new DocumentProjectionWriteRepository(scratch.db.sql).findByDocuments(
      spaceId,
      docs.map((d) => d.id),
    );

    const projected = await services.influenceAnalysis.influenceLayerTotals({
      queryIds: [q1!.id, q2!.id],
      factorSet: 'ek',
      space: 'default',
      method: 'PROJECTED',
    });
    expect(projected.basis).toMatchObject({ method: 'PROJECTED', documents: stored.length });
    for (const [i, q] of [q1!, q2!].entries()) {
      const g = (await vectors.findGradient(q.id, factorSet.id))!;
      const y = (await vectors.findProjection(g.id, spaceId))!;
      const result = projected.results[i]!;
      expect(result).toMatchObject({ queryId: q.id, documents: stored.length });
      expect(result.nats).toBeCloseTo(g.nats, 6);
      expect(result.layers.map((l) => l.layer)).toEqual(layerRanks.map((l) => l.layer));
      let offset = 0;
      let net = 0;
      layerRanks.forEach((l, k) => {
        const length = l.outRank * l.inRank;
        let positive = 0;
        let negative = 0;
        for (const r of stored) {
          const s = dot(y.full.subarray(offset, offset + length), r.full!.subarray(offset, offset + length));
          if (s > 0) positive += s;
          else negative += s;
        }
        offset += length;
        const got = result.layers[k]!;
        expect(Math.abs(got.totalPositive - positive)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(positive)));
        expect(Math.abs(got.totalNegative - negative)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(negative)));
        expect(got.totalPositivePerNat).toBeCloseTo(got.totalPositive / g.nats, 6);
        net += got.totalPositive + got.totalNegative;
      });
      const all = stored.reduce((s, r) => s + dot(y.full, r.full!), 0);
      expect(Math.abs(net - all)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(all)));
    }

    // EXACT: the per-layer scores cached by the EXACT rankings above
    const rows = await scratch.db.prisma.influenceScore.findMany({ where: { queryId: q1!.id, factorSetId: factorSet.id, method: 'EXACT' } });
    expect(rows.length).toBeGreaterThanOrEqual(20);
    const exact = await services.influenceAnalysis.influenceLayerTotals({ queryIds: [q1!.id], factorSet: 'ek', space: 'default', method: 'EXACT' });
    expect(exact.basis).toMatchObject({ method: 'EXACT', documents: rows.length });
    expect(exact.results[0]!.documents).toBe(rows.length);
    expect(exact.results[0]!.layers.map((l) => l.layer)).toEqual(layerRanks.map((l) => l.layer));
    exact.results[0]!.layers.forEach((got, k) => {
      const values = rows.map((r) => r.layerScores[k]!);
      expect(got.totalPositive).toBeCloseTo(
        values.filter((v) => v > 0).reduce((a, b) => a + b, 0),
        8,
      );
      expect(got.totalNegative).toBeCloseTo(
        values.filter((v) => v < 0).reduce((a, b) => a + b, 0),
        8,
      );
    });
    const exactNet = exact.results[0]!.layers.reduce((s, l) => s + l.totalPositive + l.totalNegative, 0);
    expect(exactNet).toBeCloseTo(
      rows.reduce((s, r) => s + r.score, 0),
      4,
    );

    await expect(services.influenceAnalysis.influenceLayerTotals({ queryIds: [q2!.id], factorSet: 'ek', space: 'default', method: 'EXACT' })).rejects.toThrow(
      /no exact influence scores.*topInfluences with mode EXACT/,
    );
    await expect(
      services.influenceAnalysis.influenceLayerTotals({ queryIds: [q1!.id], factorSet: 'ek', space: 'default', method: 'SKETCH' as never }),
    ).rejects.toThrow('method must be one of PROJECTED, EXACT, got SKETCH');
    await expect(services.influenceAnalysis.influenceLayerTotals({ queryIds: [], factorSet: 'ek', space: 'default', method: 'PROJECTED' })).rejects.toThrow(
      /give 1 to 100 queries/,
    );
  });

  it('in a full-rank eigenbasis space, the projected score equals the exact EK-FAC influence', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    // ranks above the layer sizes are clamped: P = Q_Sᵀ, R = Q_Aᵀ in full, so ⟨y_q, x_d⟩ = Σ_ℓ ⟨M_ℓ, G_ℓ(d)⟩
    const space = await services.projectionSpaces.create({
      modelName: 'tiny',
      name: 'eigen-full',
      outRank: 1000,
      inRank: 1000,
      sketchDims: 512,
      seed: 0,
      kind: 'eigenbasis',
      factorSetName: 'ek',
    });
    expect(space.kind).toBe('EIGENBASIS');
    await ingestThroughQueue(scratch, services, 'c', space);
    const [q1] = await scratch.db.prisma.query.findMany({ where: { externalId: 'q1' } });
    await services.queryGradients.compute([q1!.id], factorSet.id, [space.id]);
    const projected = await services.influenceSearch.rankByIds({
      queryId: q1!.id,
      factorSetId: factorSet.id,
      spaceId: space.id,
      k: 8,
      sign: 'POSITIVE',
      mode: 'RERANKED',
    });
    const exact = await services.exactInfluence.score({
      queryId: q1!.id,
      factorSetId: factorSet.id,
      spaceId: space.id,
      documentIds: projected.hits.map((h) => h.documentId),
      sign: 'POSITIVE',
    });
    const exactById = new Map(exact.map((e) => [e.documentId, e.score]));
    for (const h of projected.hits) {
      const e = exactById.get(h.documentId)!;
      expect(Math.abs(h.score - e)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(e)));
    }
  });

  it('a space with at least 2 D documents gets a whitened search basis: ANN over the whitened graph gives the sketch inner products, RERANKED the brute-force ranking, later writes are whitened by the next sweep', async () => {
    const factorSet = await services.factorSets.byName(1, 'ek');
    const space = await services.projectionSpaces.create({ modelName: 'tiny', name: 'whitened', outRank: 1, inRank: 2, seed: 5 });
    expect(2 * space.sketchDims).toBeLessThanOrEqual(TEXTS.length);
    await ingestThroughQueue(scratch, services, 'c', space);
    const projections = new DocumentProjectionWriteRepository(scratch.db.sql);
    const projectionIndexes = new DocumentProjectionIndexRepository(scratch.db.sql);
    const whitening = (await services.projectionSpaces.searchWhitening(space.id))!;
    expect(whitening).not.toBeNull();
    expect(whitening.samples).toBe(TEXTS.length);
    expect(await projectionIndexes.hasMissingSearchSketches(space.id)).toBe(false);
    const indexes = await scratch.db.sql.query<{ raw: boolean; whitened: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS raw, to_regclass($2) IS NOT NULL AS whitened',
      [sketchIndexName(space.id), searchSketchIndexName(space.id)],
    );
    expect(indexes[0]).toEqual({ raw: false, whitened: true });
    expect(await projectionIndexes.hasSketchIndex(space.id)).toBe(true);

    const [q1] = await scratch.db.prisma.query.findMany({ where: { externalId: 'q1' } });
    await services.queryGradients.compute([q1!.id], factorSet.id, [space.id]);
    const vectors = new QueryVectorRepository(scratch.db.sql);
    const y = (await vectors.findProjection((await vectors.findGradient(q1!.id, factorSet.id))!.id, space.id))!;
    const docs = await scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await projections.findByDocuments(
      space.id,
      docs.map((d) => d.id),
    );
    const sketchScore = new Map(stored.map((r) => [r.documentId, dot(y.sketch, r.sketch!)]));
    const largest = Math.max(...[...sketchScore.values()].map(Math.abs));
    const base = { queryId: q1!.id, factorSetId: factorSet.id, spaceId: space.id };
    const ann = await services.influenceSearch.rankByIds({ ...base, k: TEXTS.length, sign: 'POSITIVE', mode: 'ANN', useCache: false });
    expect(ann.hits).toHaveLength(TEXTS.length);
    // scores come back in the raw basis: ⟨y_s, s⟩ up to half precision on both sides of the whitened product
    for (const h of ann.hits) expect(Math.abs(h.score - sketchScore.get(h.documentId)!)).toBeLessThan(2e-2 * largest);
    const byScore = [...sketchScore.entries()].sort((a, b) => b[1] - a[1]);
    expect(ann.hits.slice(0, 3).map((h) => h.documentId)).toEqual(byScore.slice(0, 3).map(([id]) => id));
    const truth = stored.map((r) => ({ id: r.documentId, score: dot(y.full, r.full!) })).sort((a, b) => b.score - a.score);
    for (const sign of ['POSITIVE', 'NEGATIVE'] as const) {
      const ranking = await services.influenceSearch.rankByIds({ ...base, k: 5, sign, mode: 'RERANKED', useCache: false });
      const expected = sign === 'POSITIVE' ? truth.slice(0, 5) : truth.slice(-5).reverse();
      expect(ranking.hits.map((h) => h.documentId)).toEqual(expected.map((t) => t.id));
    }

    // a document stored again after the indexing loses its whitened sketch until a worker's sweep refills it
    const again = stored[4]!;
    await services.ingestion.store(space.id, [again]);
    expect(await projectionIndexes.hasMissingSearchSketches(space.id)).toBe(true);
    expect(await services.ingestion.finalizeFinished()).toContain(space.id);
    expect(await projectionIndexes.hasMissingSearchSketches(space.id)).toBe(false);
    expect(await services.ingestion.finalizeFinished()).not.toContain(space.id);
  });

  it('refuses queries the model cannot score before storing any of them', async () => {
    const before = await scratch.db.prisma.query.count();
    await expect(
      services.queries.create('tiny', [
        { prompt: 'ok', completion: 'fine' },
        { prompt: 'x', completion: '' },
      ]),
    ).rejects.toThrow(/completion is empty/);
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
      // the mutation queues the computation: a worker (in-process, as the embedded server runs one) does it
      await startWorker(services.jobQueue, services, { concurrency: 1 });
      for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 250))) {
        const state = await postGraphQL(server.url, `{ influenceQuery(id: "${id}") { gradientStatus } }`, { token: curator });
        const status = (state.json.data!.influenceQuery as { gradientStatus: string }).gradientStatus;
        expect(status).not.toBe('FAILED');
        ready = status === 'READY';
      }
      const top = await postGraphQL(
        server.url,
        `{ influenceQuery(id: "${id}") { prompt topInfluences(factorSet: "ek", space: "default", k: 3) { mode nats candidates edges { rank score perNat document { externalId } } } } }`,
        { token: curator },
      );
      expect(top.json.errors).toBeUndefined();
      const ranking = (
        top.json.data!.influenceQuery as {
          topInfluences: { mode: string; nats: number; edges: { rank: number; score: number; document: { externalId: string } }[] };
        }
      ).topInfluences;
      expect(ranking.mode).toBe('RERANKED');
      expect(ranking.nats).toBeGreaterThan(0);
      expect(ranking.edges.map((e) => e.rank)).toEqual([1, 2, 3]);
      expect(ranking.edges[0]!.score).toBeGreaterThanOrEqual(ranking.edges[1]!.score);
      const badK = await postGraphQL(server.url, `{ influenceQuery(id: "${id}") { topInfluences(factorSet: "ek", space: "default", k: 5000) { nats } } }`, {
        token: curator,
      });
      expect(badK.json.errors![0]!.extensions!.code).toMatch(/BAD_USER_INPUT|QUERY_TOO_COMPLEX/);
      const noSpace = await postGraphQL(server.url, `{ influenceQuery(id: "${id}") { topInfluences(factorSet: "ek", space: "nope") { nats } } }`, {
        token: curator,
      });
      expect(noSpace.json.errors![0]!.extensions!.code).toBe('NOT_FOUND');
      const normalized = await postGraphQL(
        server.url,
        `{ influenceQuery(id: "${id}") { topInfluences(factorSet: "ek", space: "default", k: 3, normalize: GRADIENT_NORM) { normalization edges { score normalizedScore gradientNorm } } } }`,
        { token: curator },
      );
      expect(normalized.json.errors).toBeUndefined();
      const byNorm = (
        normalized.json.data!.influenceQuery as {
          topInfluences: { normalization: string; edges: { score: number; normalizedScore: number; gradientNorm: number }[] };
        }
      ).topInfluences;
      expect(byNorm.normalization).toBe('GRADIENT_NORM');
      expect(byNorm.edges).toHaveLength(3);
      for (const e of byNorm.edges) expect(e.normalizedScore).toBeCloseTo(e.score / e.gradientNorm, 6);
      expect(byNorm.edges[0]!.normalizedScore).toBeGreaterThanOrEqual(byNorm.edges[1]!.normalizedScore);
      const plain = await postGraphQL(
        server.url,
        `{ influenceQuery(id: "${id}") { topInfluences(factorSet: "ek", space: "default", k: 3) { normalization } } }`,
        { token: curator },
      );
      expect((plain.json.data!.influenceQuery as { topInfluences: { normalization: string } }).topInfluences.normalization).toBe('NONE');
      const badNorm = await postGraphQL(
        server.url,
        `{ influenceQuery(id: "${id}") { topInfluences(factorSet: "ek", space: "default", normalize: COSINE) { nats } } }`,
        { token: curator },
      );
      expect(badNorm.json.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(badNorm.json.errors![0]!.message).toMatch(/COSINE/);

      const totals = await postGraphQL(
        server.url,
        `{ influenceLayerTotals(queryIds: ["${id}"], factorSet: "ek", space: "default") { basis { method documents space } results { queryId documents layers { layer totalPositive totalNegative totalPositivePerNat } } } }`,
        { token: curator },
      );
      expect(totals.json.errors).toBeUndefined();
      const layerTotals = totals.json.data!.influenceLayerTotals as {
        basis: { method: string; documents: number; space: string };
        results: { queryId: string; documents: number; layers: { layer: string; totalPositive: number; totalNegative: number }[] }[];
      };
      expect(layerTotals.basis).toEqual({ method: 'PROJECTED', documents: TEXTS.length, space: 'default' });
      expect(layerTotals.results[0]!.queryId).toBe(id);
      expect(layerTotals.results[0]!.layers.length).toBeGreaterThan(1);
      for (const l of layerTotals.results[0]!.layers) {
        expect(l.totalPositive).toBeGreaterThanOrEqual(0);
        expect(l.totalNegative).toBeLessThanOrEqual(0);
      }
      const noExact = await postGraphQL(
        server.url,
        `{ influenceLayerTotals(queryIds: ["${id}"], factorSet: "ek", space: "default", method: EXACT) { basis { method } } }`,
        { token: curator },
      );
      expect(noExact.json.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    } finally {
      await server.stop();
      await services.jobQueue.stop();
    }
  });
});
