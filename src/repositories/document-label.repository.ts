import type { SqlClient } from '../db/database.types';
import type { DocumentLabelRecord } from '../domain/document-label.record';

/** Reads `labels` (joined with their task and annotator) for documents shown in analyses. */
export class DocumentLabelRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Labels of the given documents under tasks that are not archived, by document id (task, then annotator order). */
  async findByDocuments(documentIds: readonly number[]): Promise<Map<number, DocumentLabelRecord[]>> {
    const out = new Map<number, DocumentLabelRecord[]>();
    if (documentIds.length === 0) return out;
    const rows = await this.sql.query<{ document_id: number; task: string; annotator: string; value: unknown; version: number }>(
      `SELECT l.document_id, t.name AS task, u.name AS annotator, l.value, l.version
         FROM labels l JOIN label_tasks t ON t.id = l.task_id JOIN users u ON u.id = l.annotator_id
        WHERE l.document_id = ANY($1::int[]) AND t.archived_at IS NULL
        ORDER BY l.document_id, t.name, u.name`,
      [[...documentIds]],
    );
    for (const r of rows) {
      const id = Number(r.document_id);
      // jsonb arrives parsed (node-postgres and PGlite)
      out.set(id, [...(out.get(id) ?? []), { documentId: id, task: r.task, annotator: r.annotator, value: r.value, version: Number(r.version) }]);
    }
    return out;
  }
}

