import type { PrismaClient } from '../generated/prisma/client';
import type { ModelRecord } from '../domain/model.record';

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

  /** Keyset page by ascending id (see CorpusRepository.page). */
  async page(afterId: number, first: number): Promise<{ items: ModelRecord[]; hasNextPage: boolean }> {
    const rows = await this.prisma.model.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: first + 1 });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Models by id, in the order of `ids` (null where absent). */
  async findManyByIds(ids: readonly number[]): Promise<(ModelRecord | null)[]> {
    const rows = await this.prisma.model.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

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
