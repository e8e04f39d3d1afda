import type { PrismaClient } from '../generated/prisma/client';

/** One annotator's label on a document, with its task's and annotator's names. */
export interface DocumentLabelRecord {
  readonly documentId: number;
  /** The label task's name. */
  readonly task: string;
  /** The annotator's user name. */
  readonly annotator: string;
  /** The label's value as stored (JSON: a boolean, an option, several options or text, by the task's kind). */
  readonly value: unknown;
  readonly version: number;
}

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
