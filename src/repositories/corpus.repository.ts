import type { PrismaClient } from '../generated/prisma/client';
import type { CorpusImportRecord, CorpusRecord } from '../domain/corpus.record';

/** Corpora and their import records (Prisma). */
export class CorpusRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Keyset page by ascending id: up to `first` + 1 rows after `afterId` (the extra row says more follow). */
  async page(afterId: number, first: number): Promise<{ items: CorpusRecord[]; hasNextPage: boolean }> {
    const rows = await this.prisma.corpus.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: first + 1 });
    return { items: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Corpora by id, in the order of `ids` (null where absent): one statement for a DataLoader batch. */
  async findManyByIds(ids: readonly number[]): Promise<(CorpusRecord | null)[]> {
    const rows = await this.prisma.corpus.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  findByName(name: string): Promise<CorpusRecord | null> {
    return this.prisma.corpus.findUnique({ where: { name } });
  }

  /** The corpus named `name`, created if missing (concurrent callers get the same row). */
  async findOrCreate(name: string, description = ''): Promise<CorpusRecord> {
    return this.prisma.corpus.upsert({ where: { name }, create: { name, description }, update: {} });
  }

  startImport(corpusId: number, fileName: string): Promise<CorpusImportRecord> {
    return this.prisma.corpusImport.create({ data: { corpusId, fileName } });
  }

  /** Marks an import finished, with the sha256 of the file read. */
  finishImport(importId: number, fileSha256: string | null): Promise<CorpusImportRecord> {
    return this.prisma.corpusImport.update({ where: { id: importId }, data: { finishedAt: new Date(), fileSha256 } });
  }

  findImport(importId: number): Promise<CorpusImportRecord | null> {
    return this.prisma.corpusImport.findUnique({ where: { id: importId } });
  }
}
