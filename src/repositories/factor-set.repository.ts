import type { PrismaClient } from '../generated/prisma/client';
import type { FactorSetRecord } from '../domain/factor-set.record';

export type NewFactorSet = Omit<FactorSetRecord, 'id' | 'status'>;

/** Factor sets (Prisma). */
export class FactorSetRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findByName(modelId: number, name: string): Promise<FactorSetRecord | null> {
    return this.prisma.factorSet.findUnique({ where: { modelId_name: { modelId, name } } });
  }

  findById(id: number): Promise<FactorSetRecord | null> {
    return this.prisma.factorSet.findUnique({ where: { id } });
  }

  create(input: NewFactorSet): Promise<FactorSetRecord> {
    return this.prisma.factorSet.create({
      data: { ...input, arguments: input.arguments as object, status: 'READY', completedAt: new Date() },
    });
  }
}
