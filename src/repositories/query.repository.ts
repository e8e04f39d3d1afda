import type { PrismaClient } from '../generated/prisma/client';

export type QueryKindName = 'FACTUAL' | 'REASONING' | 'CONTROL' | 'OTHER';

/** A stored influence query (prompt + completion). */
export interface QueryRecord {
  readonly id: number;
  readonly modelId: number;
  readonly externalId: string | null;
  readonly prompt: string;
  readonly completion: string;
  readonly kind: QueryKindName;
  readonly answerKeywords: string[];
  readonly tags: string[];
  readonly createdAt: Date;
}

export type NewQuery = Omit<QueryRecord, 'id' | 'createdAt'>;

/** Influence queries (Prisma). */
export class QueryRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Stores queries in one transaction; a query whose external id the model already has is
   * returned as stored (not changed).
   */
  async createMany(queries: readonly NewQuery[]): Promise<{ record: QueryRecord; created: boolean }[]> {
    return this.prisma.$transaction(async (tx) => {
      const out: { record: QueryRecord; created: boolean }[] = [];
      for (const q of queries) {
        if (q.externalId !== null) {
          const found = await tx.query.findUnique({ where: { modelId_externalId: { modelId: q.modelId, externalId: q.externalId } } });
          if (found) {
            out.push({ record: found, created: false });
            continue;
          }
        }
        out.push({ record: await tx.query.create({ data: q }), created: true });
      }
      return out;
    });
  }

  async findManyByIds(ids: readonly number[]): Promise<(QueryRecord | null)[]> {
    const rows = await this.prisma.query.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Keyset page of a model's queries (or all), optionally of one kind. */
  async page(filter: { modelId?: number; kind?: QueryKindName }, afterId: number, first: number): Promise<{ items: QueryRecord[]; hasNextPage: boolean }> {
    const rows = await this.prisma.query.findMany({
      where: { id: { gt: afterId }, ...(filter.modelId ? { modelId: filter.modelId } : {}), ...(filter.kind ? { kind: filter.kind } : {}) },
      orderBy: { id: 'asc' },
      take: first + 1,
    });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first };
  }
}
