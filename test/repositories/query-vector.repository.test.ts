import { createHash } from 'node:crypto';

import { applyMigrations } from '../../src/db/migration-runner';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import { mulberry32 } from '../support/seeded-random';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

jest.setTimeout(120_000);

/** `n` seeded bytes, starting with every byte value once. */
function bytes(n: number, seed: number): Buffer {
  const random = mulberry32(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = i < 256 ? i : Math.floor(random() * 256);
  return out;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(testBackends())('QueryVectorRepository.save on %s', (kind) => {
  let scratch: ScratchDatabase;
  let repo: QueryVectorRepository;
  let queryId: number;
  let factorSetId: number;

  beforeAll(async () => {
    scratch = await createScratchDatabase(kind);
    await applyMigrations(scratch.db.sql);
    const { prisma } = scratch.db;
    const model = await prisma.model.create({ data: { name: 'm', hash: 'h', path: '/m', config: {}, trackedLayers: ['h.0.mlp.c_fc'], parameterCount: 1n } });
    factorSetId = (await prisma.factorSet.create({ data: { modelId: model.id, name: 'f', strategy: 'EKFAC' } })).id;
    queryId = (await prisma.query.create({ data: { modelId: model.id, prompt: 'p', completion: 'c' } })).id;
    repo = new QueryVectorRepository(scratch.db.sql);
  });
  afterAll(async () => {
    await scratch.drop();
  });

  const stored = async (id: number) =>
    (
      await scratch.db.sql.query<{ n: number; digest: string }>(
        `SELECT length(factors) AS n, encode(sha256(factors), 'hex') AS digest FROM query_gradients WHERE id = $1`,
        [id],
      )
    )[0]!;

  it('stores the M_ℓ bytes exactly (a rank-32 query of the reference model: 657 408 bytes), and a second save replaces them', async () => {
    const first = bytes(657_408, 1);
    const id = await repo.save({
      queryId,
      factorSetId,
      damping: 'relative:0.1',
      nats: 2.5,
      tokenCount: 7,
      rank: 32,
      factors: first,
      layout: [{ layer: 'h.0.mlp.c_fc' }],
      projections: [],
    });
    expect(await stored(id)).toEqual({ n: first.length, digest: sha256(first) });

    const second = bytes(1001, 2);
    expect(
      await repo.save({ queryId, factorSetId, damping: 'relative:0.01', nats: 3, tokenCount: 8, rank: null, factors: second, layout: [], projections: [] }),
    ).toBe(id);
    expect(await stored(id)).toEqual({ n: second.length, digest: sha256(second) });
    expect(await repo.findGradient(queryId, factorSetId)).toEqual({ id, queryId, factorSetId, nats: 3, tokenCount: 8, damping: 'relative:0.01' });
  });
});
