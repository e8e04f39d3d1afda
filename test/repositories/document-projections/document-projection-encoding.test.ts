import { applyMigrations } from '../../../src/db/migration-runner';
import { DocumentProjectionWriteRepository } from '../../../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../../../src/domain/document-projection.record';
import { toVectorBinary, toVectorLiteral, type VectorEncoding } from '../../../src/repositories/vector-sql';
import { createServices } from '../../../src/services/service-container';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../../support/test-database';
import { mulberry32 } from '../../support/seeded-random';
import { toHalf } from '../../support/vector-reference';

jest.setTimeout(120_000);

const DIMS = 256;

/** The bits of float32 values, to compare vectors bit for bit (−0 ≠ 0, every NaN payload apart). */
const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

/**
 * Float32 values that are hard to write exactly: random bit patterns over the whole finite range
 * (subnormals and huge values included), ±0, the extremes, values that need 9 digits, and values
 * halfway between two halves (round-to-nearest-even ties in the sketch).
 */
function hardVector(seed: number, halfRange: boolean): Float32Array {
  const random = mulberry32(seed);
  const v = new Float32Array(DIMS);
  const raw = new Uint32Array(v.buffer);
  for (let i = 0; i < DIMS; i++) {
    do raw[i] = Math.floor(random() * 2 ** 32);
    while (!Number.isFinite(v[i]!) || (halfRange && Math.abs(v[i]!) > 65_000));
  }
  const special = [0, -0, 1.4e-45, -1.4e-45, 1.1754942e-38, 0.1, 1 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24 * 1.5, 65_504, -65_504];
  if (!halfRange) special.push(16_777_217, 3.4028235e38, -3.4028235e38);
  special.forEach((x, i) => (v[i] = x));
  return v;
}

describe('vector parameters', () => {
  it('text literals print every float32 exactly (9 significant digits, −0 kept)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const v = hardVector(seed, false);
      const text = toVectorLiteral(v, 'vector', 'v');
      const back = Float32Array.from(text.slice(1, -1).split(','), Number);
      expect(bits(back)).toEqual(bits(v));
    }
    expect(toVectorLiteral([0.5, -0, 0, 1e-7], 'vector', 'v')).toBe('[0.500000000,-0,0,1.00000001e-7]');
  });

  it('the binary form is int16 dimensions, int16 0, big-endian float32 elements', () => {
    const b = toVectorBinary([1, -2.5, 0.1], 'vector', 'v');
    expect(b.length).toBe(16);
    expect([b.readInt16BE(0), b.readInt16BE(2), b.readFloatBE(4), b.readFloatBE(8), b.readFloatBE(12)]).toEqual([3, 0, 1, -2.5, Math.fround(0.1)]);
  });

  it('both refuse the same bad vectors, naming the element', () => {
    for (const f of [toVectorLiteral, toVectorBinary]) {
      expect(() => f([1, Number.NaN], 'vector', 'q')).toThrow(/q\[1\] is NaN/);
      expect(() => f([], 'vector', 'q')).toThrow(/q is empty/);
      expect(() => f([1, 70_000], 'halfvec', 's')).toThrow(/s\[1\] = 70000 is outside the half-precision range/);
      expect(() => f(new Float32Array(16_001), 'vector', 'q')).toThrow(/16001 dimensions/);
    }
  });
});

describe.each(testBackends())('vectors written and read back on %s', (kind) => {
  let scratch: ScratchDatabase;
  let spaceId: number;
  let docIds: number[];
  const encodings: VectorEncoding[] = kind === 'postgres' ? ['text', 'binary'] : ['text'];

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    const { prisma } = scratch.db;
    const model = await prisma.model.create({ data: { name: 'm', hash: 'h', path: '/m', config: {}, trackedLayers: ['h.0.mlp.c_fc'], parameterCount: 1n } });
    const corpus = await prisma.corpus.create({ data: { name: 'c' } });
    const space = await prisma.projectionSpace.create({
      data: { modelId: model.id, name: 's', kind: 'RANDOM_GAUSSIAN', seed: 1, layerRanks: [], fullDims: DIMS, sketchDims: DIMS },
    });
    spaceId = space.id;
    await prisma.document.createMany({
      data: Array.from({ length: 8 }, (_, i) => ({ corpusId: corpus.id, externalId: `d${i}`, text: `t${i}`, contentHash: i.toString(16).padStart(64, '0') })),
    });
    docIds = (await prisma.document.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((d) => d.id);
  });
  afterAll(() => scratch.drop());

  const records = (): DocumentProjectionRecord[] =>
    docIds.map((documentId, i) => ({
      documentId,
      full: hardVector(100 + i, false),
      sketch: hardVector(200 + i, true),
      loss: i + 0.5,
      tokenCount: 3 + i,
      gradientNorm: 1 + i,
    }));

  it.each(encodings)('%s: full vectors come back bit-identical in float32, sketches as the float32 rounded to half precision', async (encoding) => {
    const repo = new DocumentProjectionWriteRepository(scratch.db.sql, 3, encoding);
    const written = records();
    expect(await repo.upsertMany(spaceId, written)).toBe(written.length);
    const back = await repo.findByDocuments(spaceId, docIds);
    expect(back.map((r) => r.documentId)).toEqual(docIds);
    back.forEach((row, i) => {
      expect(bits(row.full!)).toEqual(bits(written[i]!.full!));
      expect(bits(row.sketch!)).toEqual(bits(Float32Array.from(written[i]!.sketch!, toHalf)));
      expect([row.loss, row.tokenCount, row.gradientNorm]).toEqual([i + 0.5, 3 + i, 1 + i]);
    });
  });

  it("the services write in the back-end's fastest encoding, with the same stored values", async () => {
    const services = createServices(scratch.db);
    const written = records().map((r) => ({ ...r, loss: 9 }));
    await services.ingestion.store(spaceId, written);
    const back = await new DocumentProjectionWriteRepository(scratch.db.sql).findByDocuments(spaceId, docIds);
    back.forEach((row, i) => {
      expect(row.loss).toBe(9);
      expect(bits(row.full!)).toEqual(bits(written[i]!.full!));
      expect(bits(row.sketch!)).toEqual(bits(Float32Array.from(written[i]!.sketch!, toHalf)));
    });
  });

  it.each(encodings)('%s: a row the database refuses rolls back the whole batch', async (encoding) => {
    const repo = new DocumentProjectionWriteRepository(scratch.db.sql, 3, encoding);
    const before = await repo.findByDocuments(spaceId, docIds);
    const bad = records().map((r) => ({ ...r, loss: 123 }));
    bad[5] = { ...bad[5]!, documentId: 2_000_000 };
    await expect(repo.upsertMany(spaceId, bad)).rejects.toThrow(/foreign key/);
    const after = await repo.findByDocuments(spaceId, docIds);
    expect(after.map((r) => r.loss)).toEqual(before.map((r) => r.loss));
    expect(after.every((r) => r.loss !== 123)).toBe(true);
  });
});
