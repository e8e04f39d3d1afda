import type { PrismaClient } from '../generated/prisma/client';

/** A registered factor set. */
export interface FactorSetRecord {
  readonly id: number;
  readonly modelId: number;
  readonly name: string;
  readonly strategy: 'IDENTITY' | 'DIAGONAL' | 'KFAC' | 'EKFAC';
  readonly fisher: 'SAMPLED' | 'EMPIRICAL';
  readonly sampleSize: number | null;
  readonly seed: number;
  readonly arguments: unknown;
  readonly filePath: string | null;
  readonly fileSha256: string | null;
  readonly status: 'PENDING' | 'RUNNING' | 'READY' | 'FAILED';
}

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
