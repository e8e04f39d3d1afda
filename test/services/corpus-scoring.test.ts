import { SCORE_CORPUS } from '../../src/domain/queue-name';
import { JobQueue } from '../../src/jobs/job-queue';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import { InfluenceScoreRepository } from '../../src/repositories/influence-score.repository';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import { startWorker } from '../../src/worker/worker';
import { prepareQueryPlatform, type QueryPlatform, waitFor } from '../support/query-platform.fixture';
import { dot } from '../support/vector-reference';
import { testBackends } from '../support/test-database';

jest.setTimeout(900_000);

/** |a − b| within `rel` of max(1, scale). */
function expectClose(a: number, b: number, rel: number, scale = Math.abs(b)): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, scale));
}

describe.each(testBackends())('whole-corpus scoring on %s', (kind) => {
  let p: QueryPlatform;
  let queue: JobQueue;
  let q1: number;
  let q2: number;
  let q3: number;

  const jobsDone = (ids: readonly string[]) => async () => {
    for (const id of ids) if ((await queue.status(SCORE_CORPUS, id))?.state !== 'completed') return false;
    return true;
  };
  const projectedRows = (queryId: number) =>
    p.scratch.db.prisma.influenceScore.findMany({
      where: { queryId, factorSetId: p.factorSetId, method: 'PROJECTED', spaceId: p.spaceId },
      orderBy: { documentId: 'asc' },
    });

  beforeAll(async () => {
    p = await prepareQueryPlatform(kind);
    const created = await p.services.queries.create('tiny', [
      { externalId: 's1', prompt: 'Velor: ', completion: 'Danu 3', kind: 'FACTUAL', answerKeywords: ['Danu'] },
      { externalId: 's2', prompt: 'Doc 5', completion: ': more', kind: 'OTHER' },
      { externalId: 's3', prompt: 'Doc 1', completion: ': Velor', kind: 'OTHER' },
    ]);
    [q1, q2, q3] = created.map((c) => c.record.id) as [number, number, number];
    await p.services.queryGradients.compute([q1, q2, q3], p.factorSetId, [p.spaceId]);
    queue = new JobQueue(p.scratch.db, { pollingIntervalSeconds: 0.5 });
    await queue.start();
    await startWorker(queue, p.services, { concurrency: 1 });
  });
  afterAll(async () => {
    await queue.stop();
    await p.services.jobQueue.stop();
    await p.scratch.drop();
  });

  it('PROJECTED caches exactly one score per query and document, equal to the inner product of the stored vectors; re-running adds nothing', async () => {
    const analysis = p.services.influenceAnalysis;
    const before = await analysis.influenceDistribution({ queryIds: [q1], factorSet: p.factorSet, space: p.space });
    expect(before.basis).toMatchObject({ method: 'PROJECTED', cached: false, documents: 30 });

    const plan = await p.services.corpusScoring.scoreCorpus({ queryIds: [q1, q2], factorSet: p.factorSet, space: p.space, method: 'PROJECTED' });
    expect(plan).toMatchObject({ method: 'PROJECTED', documents: 30, alreadyCached: 0 });
    expect(plan.jobIds).toHaveLength(2);
    await waitFor('the score-corpus jobs', jobsDone(plan.jobIds));
    expect((await queue.status(SCORE_CORPUS, plan.jobIds[0]!))?.output).toEqual({ method: 'PROJECTED', scored: 30, cached: 30 });

    const vectors = new QueryVectorRepository(p.scratch.db.sql);
    const docs = await p.scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const stored = await new DocumentProjectionWriteRepository(p.scratch.db.sql).findByDocuments(
      p.spaceId,
      docs.map((d) => d.id),
    );
    expect(stored).toHaveLength(30);
    for (const queryId of [q1, q2]) {
      const gradient = (await vectors.findGradient(queryId, p.factorSetId))!;
      const y = (await vectors.findProjection(gradient.id, p.spaceId))!;
      const rows = await projectedRows(queryId);
      expect(rows.map((r) => r.documentId)).toEqual(stored.map((s) => s.documentId));
      rows.forEach((r, i) => {
        const expected = dot(y.full, stored[i]!.full!);
        // pgvector sums in float32: the error is relative to the sum of the terms' magnitudes
        const magnitude = dot(y.full.map(Math.abs), stored[i]!.full!.map(Math.abs));
        expectClose(r.score, expected, 1e-5, magnitude);
        expectClose(r.perNat, r.score / gradient.nats, 1e-12, Math.abs(r.perNat));
      });
    }

    // the same request again: everything is cached, no job
    const again = await p.services.corpusScoring.scoreCorpus({ queryIds: [q1, q2], factorSet: p.factorSet, space: p.space, method: 'PROJECTED' });
    expect(again).toEqual({ method: 'PROJECTED', documents: 30, jobIds: [], alreadyCached: 2 });
    // a retried job keeps what is cached and never duplicates
    const firstScores = (await projectedRows(q1)).map((r) => [r.id, r.score]);
    expect(await p.services.corpusScoring.run({ method: 'PROJECTED', queryId: q1, factorSetId: p.factorSetId, spaceId: p.spaceId })).toEqual({
      method: 'PROJECTED',
      scored: 30,
      cached: 0,
    });
    expect((await projectedRows(q1)).map((r) => [r.id, r.score])).toEqual(firstScores);

    // chunks: a cursor over document ids fills in exactly what is missing
    await p.scratch.db.prisma.influenceScore.deleteMany({ where: { queryId: q2, documentId: { in: stored.slice(3, 11).map((s) => s.documentId) } } });
    const scores = new InfluenceScoreRepository(p.scratch.db.sql);
    let after = 0;
    let inserted = 0;
    let chunks = 0;
    for (;;) {
      const chunk = await scores.cacheProjectedChunk({
        queryId: q2,
        factorSetId: p.factorSetId,
        spaceId: p.spaceId,
        fullDims: stored[0]!.full!.length,
        afterDocumentId: after,
        limit: 7,
      });
      if (chunk.scanned === 0) break;
      chunks++;
      inserted += chunk.inserted;
      after = chunk.lastDocumentId!;
    }
    expect(chunks).toBe(5);
    expect(inserted).toBe(8);
    expect(await projectedRows(q2)).toHaveLength(30);
    const duplicates = await p.scratch.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM influence_scores GROUP BY query_id, document_id, factor_set_id, method, space_id HAVING count(*) > 1) d`,
    );
    expect(Number(duplicates[0]!.n)).toBe(0);

    // the analyses now read the cache, and find what they computed on the fly
    const after1 = await analysis.influenceDistribution({ queryIds: [q1], factorSet: p.factorSet, space: p.space });
    expect(after1.basis).toMatchObject({ method: 'PROJECTED', cached: true, documents: 30 });
    expectClose(after1.totalPositivePerNat, before.totalPositivePerNat, 1e-6);
    expect(after1.positiveDocuments).toBe(before.positiveDocuments);
    const corr = await analysis.influenceCorrelation({ queryIds: [q1, q2], factorSet: p.factorSet, space: p.space, method: 'pearson' });
    expect(corr.basis).toMatchObject({ method: 'PROJECTED', cached: true, documents: 30 });
    // one query without cached scores: computed on the fly for all
    const mixed = await analysis.influenceCorrelation({ queryIds: [q1, q3], factorSet: p.factorSet, space: p.space, method: 'pearson' });
    expect(mixed.basis).toMatchObject({ method: 'PROJECTED', cached: false, documents: 30 });
  });

  it('answerInTopK returns the labels of the documents it names', async () => {
    const top = await p.services.influenceAnalysis.answerInTopK({ queryIds: [q1], factorSet: p.factorSet, space: p.space, k: 5 });
    // every fixture document contains "Danu"
    expect(top.results[0]!.documents.map((d) => d.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(top.results[0]!.documents.every((d) => d.labels.length === 0)).toBe(true);
    const first = top.results[0]!.documents[0]!.documentId;
    const third = top.results[0]!.documents[2]!.documentId;
    const prisma = p.scratch.db.prisma;
    const ann = await prisma.user.create({ data: { name: 'ann', role: 'ANNOTATOR' } });
    const bob = await prisma.user.create({ data: { name: 'bob', role: 'ANNOTATOR' } });
    const relevant = await prisma.labelTask.create({ data: { name: 'relevant', question: 'Does it state the answer?', kind: 'BINARY' } });
    const topic = await prisma.labelTask.create({ data: { name: 'topic', question: 'Topic?', kind: 'CATEGORICAL', options: ['people', 'places'] } });
    const retired = await prisma.labelTask.create({ data: { name: 'retired', question: 'Old', kind: 'TEXT', archivedAt: new Date() } });
    await prisma.label.createMany({
      data: [
        { taskId: relevant.id, documentId: first, annotatorId: bob.id, value: false },
        { taskId: relevant.id, documentId: first, annotatorId: ann.id, value: true, version: 2 },
        { taskId: topic.id, documentId: third, annotatorId: ann.id, value: 'people' },
        { taskId: retired.id, documentId: third, annotatorId: bob.id, value: 'gone' },
      ],
    });
    const labelled = await p.services.influenceAnalysis.answerInTopK({ queryIds: [q1], factorSet: p.factorSet, space: p.space, k: 5 });
    const docs = labelled.results[0]!.documents;
    expect(docs[0]!.labels).toEqual([
      { documentId: first, task: 'relevant', annotator: 'ann', value: true, version: 2 },
      { documentId: first, task: 'relevant', annotator: 'bob', value: false, version: 1 },
    ]);
    expect(docs[2]!.labels).toEqual([{ documentId: third, task: 'topic', annotator: 'ann', value: 'people', version: 1 }]);
    expect(docs[1]!.labels).toEqual([]);
  });

  it('EXACT scores all queries of a pass in one job per document batch, token scores only for each top-k and bottom-k, and the analyses then use it', async () => {
    const exactRows = (queryId: number) =>
      p.scratch.db.prisma.influenceScore.findMany({ where: { queryId, factorSetId: p.factorSetId, method: 'EXACT' }, orderBy: { documentId: 'asc' } });
    // q3 has two documents scored already (with token scores, by the candidate path): the pass keeps them
    const docs = await p.scratch.db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    const early = await p.services.exactInfluence.score({
      queryId: q3,
      factorSetId: p.factorSetId,
      spaceId: p.spaceId,
      documentIds: [docs[4]!.id, docs[9]!.id],
      sign: 'POSITIVE',
    });
    expect(early.every((r) => r.tokenScores.length > 0)).toBe(true);
    await expect(
      p.services.corpusScoring.scoreCorpus({ queryIds: [q1], factorSet: p.factorSet, space: p.space, method: 'EXACT', tokenTopK: -1 }),
    ).rejects.toThrow(/tokenTopK must be an integer from 0 to 200, got -1/);

    const plan = await p.services.corpusScoring.scoreCorpus({ queryIds: [q3, q1], factorSet: p.factorSet, space: p.space, method: 'EXACT', tokenTopK: 3 });
    expect(plan).toMatchObject({ method: 'EXACT', documents: 30, alreadyCached: 0 });
    expect(plan.jobIds).toHaveLength(1);
    await waitFor('the exact score-corpus job', jobsDone(plan.jobIds), 600_000);
    expect((await queue.status(SCORE_CORPUS, plan.jobIds[0]!))?.output).toEqual({ method: 'EXACT', scored: 30, cached: 58 });
    const rows = await exactRows(q1);
    expect(rows).toHaveLength(30);
    for (const r of rows)
      expectClose(
        r.layerScores.reduce((a, b) => a + b, 0),
        r.score,
        1e-4,
      );
    // token scores: exactly the top 3 and bottom 3 of each query (plus q3's two earlier documents)
    for (const [queryId, kept] of [
      [q1, []],
      [q3, early.map((e) => e.documentId)],
    ] as const) {
      const all = await exactRows(queryId);
      const ranked = [...all].sort((a, b) => b.score - a.score || a.documentId - b.documentId);
      const ends = new Set([...ranked.slice(0, 3), ...ranked.slice(-3)].map((r) => r.documentId).concat(kept));
      expect(new Set(all.filter((r) => r.tokenScores.length > 0).map((r) => r.documentId))).toEqual(ends);
      for (const r of all.filter((x) => x.tokenScores.length > 0))
        expectClose(
          r.tokenScores.reduce((a, b) => a + b, 0),
          r.score,
          1e-4,
        );
    }
    // topInfluences(EXACT) now reads the whole-corpus exact ranking, both ends, and says so
    const ranked = [...rows].sort((a, b) => b.score - a.score || a.documentId - b.documentId);
    const top = await p.services.influenceSearch.topInfluences(q1, { factorSet: p.factorSet, space: p.space, k: 5, mode: 'EXACT' });
    expect(top.basis).toEqual({
      wholeCorpus: true,
      description: `whole corpus, exact: 30 documents, factor set ${p.factorSet}, damping relative:0.1`,
      documents: 30,
      rescored: 0,
    });
    expect(top.hits.map((h) => [h.documentId, h.score])).toEqual(ranked.slice(0, 5).map((r) => [r.documentId, r.score]));
    expect(top.hits.slice(0, 3).every((h) => h.tokenScores!.length > 0)).toBe(true);
    expect(top.hits[4]!.tokenScores).toBeUndefined();
    const bottom = await p.services.influenceSearch.topInfluences(q1, { factorSet: p.factorSet, space: p.space, k: 3, mode: 'EXACT', sign: 'NEGATIVE' });
    // the most negative documents: only those whose exact influence is negative, the rest counted
    const negative = ranked.filter((r) => r.score < 0).reverse();
    expect(bottom.hits.map((h) => h.documentId)).toEqual(negative.slice(0, 3).map((r) => r.documentId));
    expect(bottom.oppositeSign).toBe(30 - negative.length);
    // q2 has no pass: the candidate path, which says what it rescored
    const fallback = await p.services.influenceSearch.topInfluences(q2, { factorSet: p.factorSet, space: p.space, k: 3, mode: 'EXACT' });
    expect(fallback.basis.wholeCorpus).toBe(false);
    expect(fallback.basis.rescored).toBe(fallback.candidates);
    expect(fallback.basis.description).toMatch(/^exact influence of the reranked top \d+ of \d+ ANN candidates/);

    // the pass's totals equal the candidate path's (per-token head) for the same documents
    const totals = new Map(rows.map((r) => [r.documentId, r.score]));
    const picked = rows
      .filter((r) => r.tokenScores.length === 0)
      .slice(0, 4)
      .map((r) => r.documentId);
    await p.scratch.db.prisma.influenceScore.deleteMany({ where: { queryId: q1, documentId: { in: picked }, method: 'EXACT' } });
    for (const r of await p.services.exactInfluence.score({
      queryId: q1,
      factorSetId: p.factorSetId,
      spaceId: p.spaceId,
      documentIds: picked,
      sign: 'POSITIVE',
    }))
      expectClose(r.score, totals.get(r.documentId)!, 1e-5, Math.abs(totals.get(r.documentId)!));
    expect((await p.services.corpusScoring.scoreCorpus({ queryIds: [q1, q3], factorSet: p.factorSet, space: p.space, method: 'EXACT' })).alreadyCached).toBe(2);

    const dist = await p.services.influenceAnalysis.influenceDistribution({ queryIds: [q1], factorSet: p.factorSet, space: p.space });
    expect(dist.basis).toMatchObject({ method: 'EXACT', cached: true, documents: 30 });
    const positive = (await exactRows(q1)).filter((r) => r.score > 0).reduce((s, r) => s + r.score, 0);
    expectClose(dist.totalPositivePerNat, positive / dist.nats, 1e-9);
    // q2 has no exact scores: the pair falls back to the cached projected scores
    const corr = await p.services.influenceAnalysis.influenceCorrelation({ queryIds: [q1, q2], factorSet: p.factorSet, space: p.space, method: 'spearman' });
    expect(corr.basis).toMatchObject({ method: 'PROJECTED', cached: true });
  });

  it('refuses queries without a vector in the space, and unknown methods, before queuing anything', async () => {
    const [bare] = await p.services.queries.create('tiny', [{ externalId: 's-bare', prompt: 'Doc 9', completion: ': Danu' }]);
    await expect(
      p.services.corpusScoring.scoreCorpus({ queryIds: [bare!.record.id], factorSet: p.factorSet, space: p.space, method: 'PROJECTED' }),
    ).rejects.toThrow(/has no gradient under factor set ek/);
    await expect(p.services.corpusScoring.scoreCorpus({ queryIds: [q1], factorSet: p.factorSet, space: p.space, method: 'FAST' as never })).rejects.toThrow(
      'method must be one of PROJECTED, EXACT, got FAST',
    );
    await expect(p.services.corpusScoring.scoreCorpus({ queryIds: [], factorSet: p.factorSet, space: p.space, method: 'PROJECTED' })).rejects.toThrow(
      /give 1 to 500 queries to score, got 0/,
    );
    await expect(p.services.corpusScoring.scoreCorpus({ queryIds: [q1], factorSet: 'nope', space: p.space, method: 'PROJECTED' })).rejects.toThrow(
      'no factor set named "nope"',
    );
    await expect(p.services.corpusScoring.scoreCorpus({ queryIds: [q1], factorSet: p.factorSet, space: 'nope', method: 'PROJECTED' })).rejects.toThrow(
      'this model has no projection space "nope"',
    );
    await expect(p.services.corpusScoring.scoreCorpus({ queryIds: [987_654], factorSet: p.factorSet, space: p.space, method: 'PROJECTED' })).rejects.toThrow(
      'no influence query 987654',
    );
  });
});
