import type { PrismaClient } from '../generated/prisma/client';

/** Ranks of one tracked layer in a projection space (full and sketch). */
export interface LayerRankRecord {
  readonly layer: string;
  readonly outRank: number;
  readonly inRank: number;
  readonly sketchOutRank: number;
  readonly sketchInRank: number;
}

/** A stored projection space. */
export interface ProjectionSpaceRecord {
  readonly id: number;
  readonly modelId: number;
  /** The factor set an eigenbasis space takes its matrices from (null for Gaussian spaces). */
  readonly factorSetId: number | null;
  readonly name: string;
  readonly kind: 'RANDOM_GAUSSIAN' | 'EIGENBASIS';
  readonly seed: number;
  readonly layerRanks: LayerRankRecord[];
  readonly fullDims: number;
  readonly sketchDims: number;
  readonly provenance: Record<string, unknown>;
}

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
    const row = await this.prisma.projectionSpace.findUnique({ where: { modelId_name: { modelId, name } } });
    return row ? toRecord(row) : null;
  }

  async findById(id: number): Promise<ProjectionSpaceRecord | null> {
    const row = await this.prisma.projectionSpace.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  async create(space: Omit<ProjectionSpaceRecord, 'id'>): Promise<ProjectionSpaceRecord> {
    const row = await this.prisma.projectionSpace.create({
      data: { ...space, layerRanks: space.layerRanks as unknown as object, provenance: space.provenance as object },
    });
    return toRecord(row);
  }
}
