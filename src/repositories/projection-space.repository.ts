import { NotFoundError } from '../errors/tracebase.error';
import type { PrismaClient } from '../generated/prisma/client';
import type { LayerRankRecord, ProjectionSpaceRecord } from '../domain/projection-space.record';

/** The whitening (megabytes) is read only by {@link ProjectionSpaceRepository.searchWhitening}. */
const OMIT = { searchWhitening: true } as const;

type Row = Omit<ProjectionSpaceRecord, 'layerRanks' | 'provenance'> & { layerRanks: unknown; provenance: unknown };
const toRecord = (r: Row): ProjectionSpaceRecord => ({
  id: r.id,
  modelId: r.modelId,
  factorSetId: r.factorSetId,
  name: r.name,
  kind: r.kind,
  seed: r.seed,
  layerRanks: r.layerRanks as LayerRankRecord[],
  fullDims: r.fullDims,
  sketchDims: r.sketchDims,
  provenance: r.provenance as Record<string, unknown>,
});

/** Projection spaces (Prisma). */
export class ProjectionSpaceRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async findByName(modelId: number, name: string): Promise<ProjectionSpaceRecord | null> {
    const row = await this.prisma.projectionSpace.findUnique({ where: { modelId_name: { modelId, name } }, omit: OMIT });
    return row ? toRecord(row) : null;
  }

  async findById(id: number): Promise<ProjectionSpaceRecord | null> {
    const row = await this.prisma.projectionSpace.findUnique({ where: { id }, omit: OMIT });
    return row ? toRecord(row) : null;
  }

  async create(space: Omit<ProjectionSpaceRecord, 'id'>): Promise<ProjectionSpaceRecord> {
    const row = await this.prisma.projectionSpace.create({
      data: { ...space, layerRanks: space.layerRanks as unknown as object, provenance: space.provenance as object },
      omit: OMIT,
    });
    return toRecord(row);
  }

  /** Whether the space has a search whitening (without reading it). */
  async hasSearchWhitening(id: number): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ present: boolean }[]>`SELECT search_whitening IS NOT NULL AS present FROM projection_spaces WHERE id = ${id}`;
    return rows[0]?.present === true;
  }

  /** The space's encoded search whitening (src/math/search-whitening.ts), or null while it has none. */
  async searchWhitening(id: number): Promise<Uint8Array | null> {
    // base64 in SQL: PGlite's driver decodes bytea byte by byte in JS
    const rows = await this.prisma.$queryRaw<{ b: string | null }[]>`SELECT encode(search_whitening, 'base64') AS b FROM projection_spaces WHERE id = ${id}`;
    const b = rows[0]?.b;
    return b ? new Uint8Array(Buffer.from(b, 'base64')) : null;
  }

  /**
   * Stores the space's search whitening unless it already has one (a whitening is fitted once:
   * the stored search sketches depend on it). Returns the space's whitening after the call —
   * the given one, or the one another process stored first.
   */
  async setSearchWhiteningOnce(id: number, bytes: Uint8Array): Promise<Uint8Array> {
    const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    await this.prisma.$executeRaw`UPDATE projection_spaces SET search_whitening = decode(${b64}, 'base64') WHERE id = ${id} AND search_whitening IS NULL`;
    const stored = await this.searchWhitening(id);
    if (!stored) throw new NotFoundError(`projection space ${id} was deleted while its search whitening was stored`);
    return stored;
  }
}
