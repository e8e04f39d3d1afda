import type { PrismaClient } from '../generated/prisma/client';
import type { QueryKindName } from '../domain/query-kind';
import type { QueryRecord } from '../domain/query.record';

/** What the query computation stores on a query: nats(q), and the greedy answer when it was decoded. */
export interface QueryOutcome {
  readonly id: number;
  readonly nats: number;
  readonly answer?: { readonly text: string | null; readonly correct: boolean | null };
}

export type NewQuery = Omit<QueryRecord, 'id' | 'createdAt' | 'nats' | 'modelAnswer' | 'answeredCorrectly' | 'computedAt' | 'gradientJobId'>;

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

  /** Stores nats(q) of each query, and its greedy answer where given (one transaction). */
  async saveOutcomes(outcomes: readonly QueryOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.prisma.$transaction(async (tx) => {
      for (const o of outcomes) {
        await tx.query.update({
          where: { id: o.id },
          data: { nats: o.nats, computedAt: new Date(), ...(o.answer ? { modelAnswer: o.answer.text, answeredCorrectly: o.answer.correct } : {}) },
        });
      }
    });
  }

  /** Records the compute-query-gradients job queued for these queries. */
  async setGradientJob(ids: readonly number[], jobId: string): Promise<void> {
    await this.prisma.query.updateMany({ where: { id: { in: [...ids] } }, data: { gradientJobId: jobId } });
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
