import { applyMigrations } from '../../../src/db/migration-runner';
import { DocumentProjectionAnalyticsRepository } from '../../../src/repositories/document-projections/document-projection-analytics.repository';
import {
  DocumentProjectionIndexRepository,
  normalizedSketchIndexName,
  sketchIndexName,
} from '../../../src/repositories/document-projections/document-projection-index.repository';
import { DocumentProjectionSearchRepository } from '../../../src/repositories/document-projections/document-projection-search.repository';
import { DocumentProjectionWriteRepository } from '../../../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../../../src/domain/document-projection.record';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../../support/test-database';
import { mulberry32, randomVector } from '../../support/seeded-random';
import { dot, toHalf } from '../../support/vector-reference';

jest.setTimeout(120_000);

const SKETCH = 24;
const FULL = 64;
const N = 300;
/** Layer blocks of the full vector (offset, length), as a space's layer ranks lay them out. */
const BLOCKS = [
  { offset: 0, length: 16 },
  { offset: 16, length: 32 },
  { offset: 48, length: 16 },
];

describe.each(testBackends())('norm-normalised search and per-layer sums on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repo: DocumentProjectionWriteRepository;
  let indexes: DocumentProjectionIndexRepository;
  let searches: DocumentProjectionSearchRepository;
  let analytics: DocumentProjectionAnalyticsRepository;
  let spaceId: number;
  let records: DocumentProjectionRecord[];

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    const { prisma } = scratch.db;
    const model = await prisma.model.create({ data: { name: 'tiny', hash: 'h', path: '/m', config: {}, trackedLayers: ['a', 'b', 'c'], parameterCount: 10n } });
    const corpus = await prisma.corpus.create({ data: { name: 'c' } });
    const space = await prisma.projectionSpace.create({
      data: { modelId: model.id, name: 'random', kind: 'RANDOM_GAUSSIAN', seed: 1, layerRanks: [], fullDims: FULL, sketchDims: SKETCH },
    });
    spaceId = space.id;
    await prisma.document.createMany({
      data: Array.from({ length: N }, (_, i) => ({
        corpusId: corpus.id,
        externalId: `doc-${i}`,
        text: `text ${i}`,
        contentHash: i.toString(16).padStart(64, '0'),
      })),
    });
    const ids = (await prisma.document.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((d) => d.id);
    const random = mulberry32(11);
    records = ids.map((documentId, i) => {
      // heavy-tailed norms (a factor of e³ ≈ 20 between the smallest and the largest), one zero vector
      const full = i === 7 ? new Float32Array(FULL) : randomVector(random, FULL, Math.exp(3 * random()));
      return { documentId, full, sketch: full.slice(0, SKETCH), loss: 1, tokenCount: 10, gradientNorm: Math.sqrt(dot(full, full)) };
    });
    repo = new DocumentProjectionWriteRepository(scratch.db.sql);
    indexes = new DocumentProjectionIndexRepository(scratch.db.sql);
    searches = new DocumentProjectionSearchRepository(scratch.db.sql);
    analytics = new DocumentProjectionAnalyticsRepository(scratch.db.sql);
    await repo.upsertMany(spaceId, records);
    await indexes.ensureSketchIndex(spaceId, SKETCH);
  });
  afterAll(() => scratch.drop());

  it('builds a second, normalised HNSW index per space that the planner uses for the normalised search', async () => {
    expect(await indexes.hasSketchIndex(spaceId)).toBe(true);
    const q = randomVector(mulberry32(5), SKETCH);
    // as in the raw index's test: scans and sorts priced out, statistics refreshed between tries
    const planOf = async (normalized: boolean, index: string) => {
      let plan = '';
      for (let attempt = 0; attempt < 3 && !plan.includes(index); attempt++) {
        if (attempt > 0) await scratch.db.sql.exec('ANALYZE document_projections');
        plan = await searches.explainSketchSearch(spaceId, q, 10, true, normalized);
      }
      return plan;
    };
    const normalizedPlan = await planOf(true, normalizedSketchIndexName(spaceId));
    expect(normalizedPlan).toContain(normalizedSketchIndexName(spaceId));
    expect(normalizedPlan).not.toContain(sketchIndexName(spaceId));
    const rawPlan = await planOf(false, sketchIndexName(spaceId));
    expect(rawPlan).toContain(sketchIndexName(spaceId));
    expect(rawPlan).not.toContain(normalizedSketchIndexName(spaceId));
  });

  it('normalised ANN finds the true top-k by ⟨q, x/‖x‖⟩, which is not the raw top-k', async () => {
    const q = randomVector(mulberry32(99), SKETCH);
    const stored = records.map((r) => ({ id: r.documentId, x: Array.from(r.sketch!, toHalf), norm: r.gradientNorm }));
    const unit = (x: number[]) => {
      const n = Math.sqrt(dot(x, x));
      return n > 0 ? dot(q, x) / n : 0;
    };
    const truth = stored.map((s) => ({ id: s.id, score: unit(s.x), raw: dot(q, s.x) })).sort((a, b) => b.score - a.score);
    const rawTruth = [...truth]
      .sort((a, b) => b.raw - a.raw)
      .slice(0, 10)
      .map((t) => t.id);
    const top10 = truth.slice(0, 10).map((t) => t.id);
    expect(top10.filter((id) => rawTruth.includes(id)).length).toBeLessThan(10);

    const ann = await searches.searchInnerProduct({ spaceId, query: q, column: 'sketch', k: 10, efSearch: 200, iterativeScan: true, normalized: true });
    expect(ann).toHaveLength(10);
    const recall = ann.filter((h) => top10.includes(h.documentId)).length / 10;
    expect(recall).toBeGreaterThanOrEqual(0.9);
    const byId = new Map(truth.map((t) => [t.id, t]));
    for (const h of ann) {
      // halfvec arithmetic: scores to about three significant digits
      expect(h.score).toBeCloseTo(byId.get(h.documentId)!.score, 1);
      expect(Math.abs(h.rawScore - byId.get(h.documentId)!.raw)).toBeLessThanOrEqual(2e-3 * Math.max(1, Math.abs(byId.get(h.documentId)!.raw)));
      expect(h.gradientNorm).toBeCloseTo(records.find((r) => r.documentId === h.documentId)!.gradientNorm, 6);
    }
    for (let i = 1; i < ann.length; i++) expect(ann[i - 1]!.score).toBeGreaterThanOrEqual(ann[i]!.score);
    // the raw search is unchanged: its score is ⟨q, x⟩ and equals rawScore
    const raw = await searches.searchInnerProduct({ spaceId, query: q, column: 'sketch', k: 10, efSearch: 200, iterativeScan: true });
    expect(raw.filter((h) => rawTruth.includes(h.documentId)).length).toBeGreaterThanOrEqual(9);
    for (const h of raw) expect(h.rawScore).toBe(h.score);
  });

  it('reranks the candidates by ⟨y, x⟩ / ‖x‖ exactly, most negative first on request, a zero vector scoring 0', async () => {
    const y = randomVector(mulberry32(3), FULL);
    const truth = records
      .map((r) => ({ id: r.documentId, score: dot(y, r.full!), key: r.gradientNorm > 0 ? dot(y, r.full!) / r.gradientNorm : 0 }))
      .sort((a, b) => b.key - a.key || a.id - b.id);
    // every document a candidate (an exact scan of the full vectors): the rerank order alone is tested
    const everyDocument = { spaceId, query: y, column: 'full' as const, k: N };
    const top = await searches.searchReranked(everyDocument, { query: y, k: 8, ascending: false, by: 'normalized' });
    expect(top.candidates).toBe(N);
    expect(top.hits.map((h) => h.documentId)).toEqual(truth.slice(0, 8).map((t) => t.id));
    top.hits.forEach((h, i) => expect(h.score).toBeCloseTo(truth[i]!.score, 3));
    const bottom = await searches.searchReranked(everyDocument, { query: y, k: 8, ascending: true, by: 'normalized' });
    expect(bottom.hits.map((h) => h.documentId)).toEqual(
      truth
        .slice(-8)
        .reverse()
        .map((t) => t.id),
    );
    // raw order is another order on these heavy-tailed norms
    const raw = await searches.searchReranked(everyDocument, { query: y, k: 8, ascending: false, by: 'score' });
    expect(raw.hits.map((h) => h.documentId)).toEqual(
      [...truth]
        .sort((a, b) => b.score - a.score)
        .slice(0, 8)
        .map((t) => t.id),
    );
    expect(raw.hits.map((h) => h.documentId)).not.toEqual(top.hits.map((h) => h.documentId));
    // the whole order, ties (the zero vector's 0) broken by document id as the truth does
    const all = await searches.searchReranked(everyDocument, { query: y, k: N, ascending: false, by: 'normalized' });
    expect(all.hits.map((h) => h.documentId)).toEqual(truth.map((t) => t.id));
    const zero = records[7]!;
    expect(zero.gradientNorm).toBe(0);
    const position = all.hits.findIndex((h) => h.documentId === zero.documentId);
    expect(Math.abs(all.hits[position]!.score) + all.hits[position]!.gradientNorm).toBe(0);
    expect(position).toBeGreaterThan(0);
    expect(position).toBeLessThan(N - 1);
  });

  it('reranks the candidates of an HNSW search in the same statement: the exact order of what the search found', async () => {
    const y = randomVector(mulberry32(21), FULL);
    const sketchQuery = y.slice(0, SKETCH);
    const search = { spaceId, query: sketchQuery, column: 'sketch' as const, k: 40, efSearch: 200, iterativeScan: true };
    const found = await searches.searchInnerProduct(search);
    const reranked = await searches.searchReranked(search, { query: y, k: 10, ascending: false, by: 'score' });
    expect(reranked.candidates).toBe(found.length);
    const expected = found
      .map((h) => ({ id: h.documentId, score: dot(y, records.find((r) => r.documentId === h.documentId)!.full!) }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, 10);
    expect(reranked.hits.map((h) => h.documentId)).toEqual(expected.map((e) => e.id));
    reranked.hits.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 3));
    // the rerank can keep at most what the search finds
    await expect(searches.searchReranked(search, { query: y, k: 41, ascending: false, by: 'score' })).rejects.toThrow(
      /reranked rows must be an integer from 1 to the 40 candidates, got 41/,
    );
    await expect(searches.searchReranked({ ...search, k: 0 }, { query: y, k: 1, ascending: false, by: 'score' })).rejects.toThrow(/candidates must be/);
  });

  it('sums per-layer inner products over every document, positive and negative apart, as a naive loop does', async () => {
    const y = randomVector(mulberry32(8), FULL);
    const sums = await analytics.layerScoreSums(
      spaceId,
      FULL,
      BLOCKS.map((b) => ({ offset: b.offset, query: y.subarray(b.offset, b.offset + b.length) })),
    );
    expect(sums.documents).toBe(N);
    let total = 0;
    BLOCKS.forEach((b, k) => {
      let positive = 0;
      let negative = 0;
      for (const r of records) {
        const s = dot(y.subarray(b.offset, b.offset + b.length), r.full!.subarray(b.offset, b.offset + b.length));
        if (s > 0) positive += s;
        else negative += s;
      }
      expect(positive).toBeGreaterThan(0);
      expect(negative).toBeLessThan(0);
      expect(sums.positive[k]).toBeCloseTo(positive, 2);
      expect(sums.negative[k]).toBeCloseTo(negative, 2);
      total += sums.positive[k]! + sums.negative[k]!;
    });
    // over the layers, the net totals add up to Σ_d ⟨y, x_d⟩
    expect(total).toBeCloseTo(
      records.reduce((s, r) => s + dot(y, r.full!), 0),
      2,
    );
  });

  it('validates limits before any query', async () => {
    const q = new Float32Array(SKETCH);
    await expect(searches.searchInnerProduct({ spaceId, query: q, column: 'sketch', k: 0, normalized: true })).rejects.toThrow(/k must be/);
    await expect(analytics.layerScoreSums(spaceId, FULL, [])).rejects.toThrow(/1 to 1000 layer slices/);
    await expect(analytics.layerScoreSums(spaceId, FULL, [{ offset: 60, query: new Float32Array(8) }])).rejects.toThrow(/does not fit a 64-dimensional vector/);
    await expect(analytics.layerScoreSums(spaceId, 20_000, [{ offset: 0, query: new Float32Array(8) }])).rejects.toThrow(/full dimension/);
  });

  it('drops both indexes', async () => {
    await indexes.dropSketchIndex(spaceId);
    expect(await indexes.hasSketchIndex(spaceId)).toBe(false);
    const [row] = await scratch.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname LIKE 'document_projections_sketch_%'");
    expect(Number(row!.n)).toBe(0);
  });
});
