import type { PrismaClient } from '../generated/prisma/client';
import type { DocumentLabelRecord } from '../domain/document-label.record';

/** Reads `labels` (joined with their task and annotator) for documents shown in analyses (Prisma). */
export class DocumentLabelRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Labels of the given documents under tasks that are not archived, by document id (task, then annotator order). */
  async findByDocuments(documentIds: readonly number[]): Promise<Map<number, DocumentLabelRecord[]>> {
    const out = new Map<number, DocumentLabelRecord[]>();
    if (documentIds.length === 0) return out;
    const rows = await this.prisma.label.findMany({
      where: { documentId: { in: [...documentIds] }, task: { archivedAt: null } },
      select: { documentId: true, value: true, version: true, task: { select: { name: true } }, annotator: { select: { name: true } } },
      orderBy: [{ documentId: 'asc' }, { task: { name: 'asc' } }, { annotator: { name: 'asc' } }],
    });
    for (const r of rows) {
      const id = r.documentId;
      out.set(id, [...(out.get(id) ?? []), { documentId: id, task: r.task.name, annotator: r.annotator.name, value: r.value, version: r.version }]);
    }
    return out;
  }
}
