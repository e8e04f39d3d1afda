import { applyMigrations } from '../../../src/db/migration-runner';
import { DocumentProjectionIndexRepository } from '../../../src/repositories/document-projections/document-projection-index.repository';
import { DocumentProjectionSearchRepository } from '../../../src/repositories/document-projections/document-projection-search.repository';
import { DocumentProjectionWriteRepository } from '../../../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../../../src/domain/document-projection.record';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../../support/test-database';
import { mulberry32, randomVector } from '../../support/seeded-random';
import { dot, toHalf } from '../../support/vector-reference';

const SKETCH = 24;
const FULL = 64;
const N = 300;

describe.each(testBackends())('document projection repositories (write, index, search) on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repo: DocumentProjectionWriteRepository;
  let indexes: DocumentProjectionIndexRepository;
  let searches: DocumentProjectionSearchRepository;
  let spaceId: number;
  let docIds: number[];
  let records: DocumentProjectionRecord[];

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    const { prisma } = scratch.db;
    const model = await prisma.model.create({
      data: { name: 'tiny', hash: 'h', path: '/m', config: {}, trackedLayers: ['h.0.mlp.c_fc'], parameterCount: 10n },
    });
    const corpus = await prisma.corpus.create({ data: { name: 'c' } });
    const space = await prisma.projectionSpace.create({
      data: { modelId: model.id, name: 'random-8', kind: 'RANDOM_GAUSSIAN', seed: 1, layerRanks: [], fullDims: FULL, sketchDims: SKETCH },
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
    docIds = (await prisma.document.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((d) => d.id);
    const random = mulberry32(7);
    records = docIds.map((documentId, i) => {
      // heavy-tailed norms, as real gradient projections have
      const scale = i % 10 === 0 ? 6 : 1;
      const full = randomVector(random, FULL, scale);
      return {
        documentId,
        sketch: randomVector(random, SKETCH, scale),
        full,
        loss: 1 + random(),
        tokenCount: 10 + i,
        gradientNorm: Math.sqrt(dot(full, full)),
      };
    });
    repo = new DocumentProjectionWriteRepository(scratch.db.sql);
    indexes = new DocumentProjectionIndexRepository(scratch.db.sql);
    searches = new DocumentProjectionSearchRepository(scratch.db.sql);
  });
  afterAll(() => scratch.drop());

  it('writes in bulk and reads vectors back: vector exactly, halfvec at half precision', async () => {
    expect(await repo.upsertMany(spaceId, records)).toBe(N);
    expect(await repo.count(spaceId)).toBe(N);
    const back = await repo.findByDocuments(spaceId, docIds.slice(0, 20));
    expect(back).toHaveLength(20);
    for (const row of back) {
      const original = records.find((r) => r.documentId === row.documentId)!;
      expect(Array.from(row.full!)).toEqual(Array.from(original.full!));
      const halves = Array.from(original.sketch!, toHalf);
      expect(Array.from(row.sketch!)).toEqual(halves);
      // and half precision really is lossy for these values
      expect(Array.from(row.sketch!)).not.toEqual(Array.from(original.sketch!));
      expect(row.tokenCount).toBe(original.tokenCount);
      expect(row.gradientNorm).toBeCloseTo(original.gradientNorm, 10);
    }
  });

  it('upserts idempotently: same key replaces, no duplicates', async () => {
    const changed = { ...records[0]!, loss: 42 };
    await repo.upsertMany(spaceId, [changed]);
    expect(await repo.count(spaceId)).toBe(N);
    const [row] = await repo.findByDocuments(spaceId, [changed.documentId]);
    expect(row!.loss).toBe(42);
    await repo.upsertMany(spaceId, [records[0]!]);
  });

  it('rejects a bad batch naming the row and element, writing nothing of it', async () => {
    const bad = records.slice(0, 3).map((r) => ({ ...r, loss: 99 }));
    const full = Float32Array.from(bad[2]!.full!);
    full[5] = Number.NaN;
    bad[2] = { ...bad[2]!, full };
    await expect(repo.upsertMany(spaceId, bad)).rejects.toThrow(/row 2\) full vector\[5\] is NaN/);
    const rows = await repo.findByDocuments(
      spaceId,
      bad.map((r) => r.documentId),
    );
    expect(rows.every((r) => r.loss !== 99)).toBe(true);
    const tooLong = { ...records[0]!, sketch: new Float32Array(4001) };
    await expect(repo.upsertMany(spaceId, [tooLong])).rejects.toThrow(/4001 dimensions.*at most 4000/);
  });

  it('rolls back the whole batch when the database refuses one row of a later statement', async () => {
    // 100 rows per statement: 300 rows take three statements; the last row references no document.
    const small = new DocumentProjectionWriteRepository(scratch.db.sql, 100);
    const batch = records.map((r) => ({ ...r, loss: 77 }));
    batch[N - 1] = { ...batch[N - 1]!, documentId: 2_000_000 };
    await expect(small.upsertMany(spaceId, batch)).rejects.toThrow(/foreign key/);
    await expect(small.upsertMany(spaceId, [records[0]!, records[0]!])).rejects.toThrow(/document \d+ twice \(row 1\)/);
    const rows = await repo.findByDocuments(spaceId, docIds);
    expect(rows).toHaveLength(N);
    expect(rows.some((r) => r.loss === 77)).toBe(false);
  });

  it('exact search on the full vectors equals a brute-force inner-product ranking', async () => {
    const q = randomVector(mulberry32(99), FULL);
    const expected = records.map((r) => ({ documentId: r.documentId, score: dot(q, r.full!) })).sort((a, b) => b.score - a.score);
    const top = await searches.searchInnerProduct({ spaceId, query: q, column: 'full', k: 10 });
    expect(top.map((h) => h.documentId)).toEqual(expected.slice(0, 10).map((h) => h.documentId));
    top.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 3));
    const bottom = await searches.searchInnerProduct({ spaceId, query: q, column: 'full', k: 5, ascending: true });
    expect(bottom.map((h) => h.documentId)).toEqual(
      expected
        .slice(-5)
        .reverse()
        .map((h) => h.documentId),
    );
  });

  it('builds a per-space HNSW index that the planner uses, and ANN search finds the true top-k', async () => {
    expect(await indexes.hasSketchIndex(spaceId)).toBe(false);
    await indexes.ensureSketchIndex(spaceId, SKETCH);
    await indexes.ensureSketchIndex(spaceId, SKETCH); // idempotent
    expect(await indexes.hasSketchIndex(spaceId)).toBe(true);
    const q = randomVector(mulberry32(5), SKETCH);
    // The planner's choice on a 300-row table is a matter of cost estimates (scans and sorts
    // are priced out); statistics are refreshed between tries so one stale estimate cannot decide.
    let plan = '';
    for (let attempt = 0; attempt < 3 && !plan.includes(`document_projections_sketch_hnsw_space_${spaceId}`); attempt++) {
      if (attempt > 0) await scratch.db.sql.exec('ANALYZE document_projections');
      plan = await searches.explainSketchSearch(spaceId, q, 10, true);
    }
    expect(plan).toContain(`document_projections_sketch_hnsw_space_${spaceId}`);
    // the two-stage statement (search and rerank in one) keeps the index under its outer sort
    let reranked = '';
    for (let attempt = 0; attempt < 3 && !reranked.includes(`document_projections_sketch_hnsw_space_${spaceId}`); attempt++) {
      if (attempt > 0) await scratch.db.sql.exec('ANALYZE document_projections');
      reranked = await searches.explainSketchSearch(spaceId, q, 10, true, false, FULL);
    }
    expect(reranked).toContain(`document_projections_sketch_hnsw_space_${spaceId}`);

    const truth = records
      .map((r) => ({ documentId: r.documentId, score: dot(q, Float32Array.from(r.sketch!, toHalf)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10)
      .map((h) => h.documentId);
    const ann = await searches.searchInnerProduct({ spaceId, query: q, column: 'sketch', k: 10, efSearch: 200, iterativeScan: true });
    const recall = ann.filter((h) => truth.includes(h.documentId)).length / truth.length;
    expect(recall).toBeGreaterThanOrEqual(0.9);
    for (let i = 1; i < ann.length; i++) expect(ann[i - 1]!.score).toBeGreaterThanOrEqual(ann[i]!.score);
    await indexes.dropSketchIndex(spaceId);
    expect(await indexes.hasSketchIndex(spaceId)).toBe(false);
  });

  it('validates search limits before any query', async () => {
    const q = new Float32Array(SKETCH);
    await expect(searches.searchInnerProduct({ spaceId, query: q, column: 'sketch', k: 0 })).rejects.toThrow(/k must be/);
    await expect(searches.searchInnerProduct({ spaceId, query: q, column: 'sketch', k: 5, efSearch: 5000 })).rejects.toThrow(/ef_search/);
    await expect(indexes.ensureSketchIndex(-1, SKETCH)).rejects.toThrow(/positive integer id/);
  });

  it('bumps the space’s vectors_version on every statement that writes or deletes its projections, and only its own', async () => {
    const { prisma } = scratch.db;
    const other = await prisma.projectionSpace.create({
      data: {
        modelId: (await prisma.projectionSpace.findUniqueOrThrow({ where: { id: spaceId } })).modelId,
        name: 'other',
        kind: 'RANDOM_GAUSSIAN',
        seed: 2,
        layerRanks: [],
        fullDims: FULL,
        sketchDims: SKETCH,
      },
    });
    const version = async (id: number) => (await prisma.projectionSpace.findUniqueOrThrow({ where: { id } })).vectorsVersion;
    const before = await version(spaceId);
    await repo.upsertMany(spaceId, records.slice(0, 3));
    const afterWrite = await version(spaceId);
    expect(afterWrite).toBeGreaterThan(before);
    expect(await version(other.id)).toBe(0n);
    // a cascade from a deleted document bumps it too
    await prisma.document.delete({ where: { id: docIds[N - 1]! } });
    expect(await version(spaceId)).toBeGreaterThan(afterWrite);
    expect(await version(other.id)).toBe(0n);
    await repo.upsertMany(other.id, records.slice(0, 1));
    expect(await version(other.id)).toBeGreaterThan(0n);
    // deleting a space (its projections cascade) works with the trigger in place
    await prisma.projectionSpace.delete({ where: { id: other.id } });
    expect(await prisma.projectionSpace.findUnique({ where: { id: other.id } })).toBeNull();
  });
});
