import type { PrismaClient } from '../generated/prisma/client';

/** A registered model as the services see it. */
export interface ModelRecord {
  readonly id: number;
  readonly name: string;
  readonly hash: string;
  readonly family: string;
  readonly path: string;
  readonly config: unknown;
  readonly trackedLayers: string[];
  readonly parameterCount: bigint;
  readonly createdAt: Date;
}

export interface NewModel {
  readonly name: string;
  readonly hash: string;
  readonly family: string;
  readonly path: string;
  readonly config: Record<string, unknown>;
  readonly trackedLayers: string[];
  readonly parameterCount: number;
}

/** Registered models (Prisma). */
export class ModelRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findByName(name: string): Promise<ModelRecord | null> {
    return this.prisma.model.findUnique({ where: { name } });
  }

  findById(id: number): Promise<ModelRecord | null> {
    return this.prisma.model.findUnique({ where: { id } });
  }

  create(model: NewModel): Promise<ModelRecord> {
    return this.prisma.model.create({
      data: { ...model, config: model.config as object, parameterCount: BigInt(model.parameterCount) },
    });
  }

  list(): Promise<ModelRecord[]> {
    return this.prisma.model.findMany({ orderBy: { id: 'asc' } });
  }
}
