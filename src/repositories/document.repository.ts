import type { TransactionalSqlClient } from '../db/database.types';
import type { DocumentFilter } from '../domain/document-filter';
import type { DocumentRecord } from '../domain/document.record';

/** A document to store (already validated). */
export interface NewDocument {
  /** Line of the source file, for reports. */
  readonly lineNumber: number;
  readonly externalId: string;
  readonly text: string;
  readonly source: string;
  readonly metadata: Record<string, unknown>;
  readonly contentHash: string;
}

/** What storing one batch did. */
export interface DocumentBatchResult {
  /** External ids inserted. */
  readonly inserted: string[];
  /** External ids already stored with the same text. */
  readonly unchanged: string[];
  /** External ids already stored with a different text (left as they were). */
  readonly conflicting: string[];
  /** Report entries appended to the import record (rejections and conflicts, by line). */
  readonly reportEntries: ImportReportEntry[];
}

/** One entry of an import report. */
export interface ImportReportEntry {
  readonly line: number;
  readonly reason: string;
  readonly id?: string;
}

/** The import a batch belongs to, and the lines of the batch that were rejected before storing. */
export interface ImportProgress {
  readonly importId: number;
  readonly rejected: readonly ImportReportEntry[];
  /** How many more entries the import's stored report may take. */
  readonly reportBudget: number;
}

interface DocumentRow {
  id: number;
  corpus_id: number;
  external_id: string;
  text: string;
  source: string;
  metadata: unknown;
  token_count: number | null;
  content_hash: string;
  created_at: Date | string;
}

function toRecord(r: DocumentRow): DocumentRecord {
  return {
    id: Number(r.id),
    corpusId: Number(r.corpus_id),
    externalId: r.external_id,
    text: r.text,
    source: r.source,
    metadata: (typeof r.metadata === 'string' ? JSON.parse(r.metadata) : r.metadata) as Record<string, unknown>,
    tokenCount: r.token_count === null ? null : Number(r.token_count),
    contentHash: r.content_hash,
    createdAt: new Date(r.created_at),
  };
}

const DOCUMENT_COLUMNS = 'id, corpus_id, external_id, text, source, metadata, token_count, content_hash, created_at';

/** Escapes LIKE wildcards so that user text matches literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** SQL on `documents`: bulk import, keyset pages with filters. */
export class DocumentRepository {
  constructor(private readonly sql: TransactionalSqlClient) {}

  /**
   * Stores a batch of documents of one corpus in one transaction: new external ids are
   * inserted; an id already stored is never overwritten (reported unchanged when its text is
   * the same, conflicting when it differs). The import's counters and report and the corpus's
   * document count are updated in the same transaction, so they always match what is stored;
   * rejected lines and conflicts are appended to the import's report (up to `reportBudget`).
   * External ids must be unique within the batch.
   */
  async importBatch(corpusId: number, documents: readonly NewDocument[], progress: ImportProgress): Promise<DocumentBatchResult> {
    return this.sql.transaction(async (tx) => {
      let inserted: string[] = [];
      let unchanged: string[] = [];
      let conflicting: string[] = [];
      if (documents.length > 0) {
        const rows = await tx.query<{ external_id: string }>(
          `INSERT INTO documents (corpus_id, external_id, text, source, metadata, content_hash)
           SELECT $1, d.external_id, d.text, d.source, d.metadata::jsonb, d.content_hash
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                  AS d(external_id, text, source, metadata, content_hash)
           ON CONFLICT (corpus_id, external_id) DO NOTHING
           RETURNING external_id`,
          [
            corpusId,
            documents.map((d) => d.externalId),
            documents.map((d) => d.text),
            documents.map((d) => d.source),
            documents.map((d) => JSON.stringify(d.metadata)),
            documents.map((d) => d.contentHash),
          ],
        );
        inserted = rows.map((r) => r.external_id);
        const insertedSet = new Set(inserted);
        const existing = documents.filter((d) => !insertedSet.has(d.externalId));
        if (existing.length > 0) {
          const stored = await tx.query<{ external_id: string; content_hash: string }>(
            `SELECT external_id, content_hash FROM documents WHERE corpus_id = $1 AND external_id = ANY($2::text[])`,
            [corpusId, existing.map((d) => d.externalId)],
          );
          const hashes = new Map(stored.map((r) => [r.external_id, r.content_hash]));
          unchanged = existing.filter((d) => hashes.get(d.externalId) === d.contentHash).map((d) => d.externalId);
          conflicting = existing.filter((d) => hashes.get(d.externalId) !== d.contentHash).map((d) => d.externalId);
        }
      }
      const conflictSet = new Set(conflicting);
      const reportEntries: ImportReportEntry[] = [
        ...progress.rejected,
        ...documents
          .filter((d) => conflictSet.has(d.externalId))
          .map((d) => ({
            line: d.lineNumber,
            id: d.externalId,
            reason: `a document with id "${d.externalId}" is already stored with a different text; not overwritten`,
          })),
      ]
        .sort((a, b) => a.line - b.line)
        .slice(0, Math.max(0, progress.reportBudget));
      await tx.query(
        `UPDATE corpus_imports
            SET accepted = accepted + $2, unchanged = unchanged + $3, conflicts = conflicts + $4,
                rejected = rejected + $5, report = report || $6::jsonb
          WHERE id = $1`,
        [progress.importId, inserted.length, unchanged.length, conflicting.length, progress.rejected.length, JSON.stringify(reportEntries)],
      );
      if (inserted.length > 0) {
        await tx.query('UPDATE corpora SET document_count = document_count + $2 WHERE id = $1', [corpusId, inserted.length]);
      }
      return { inserted, unchanged, conflicting, reportEntries };
    });
  }

  /**
   * A keyset page of one corpus's documents by ascending id, filtered by source, metadata
   * containment and a case-insensitive text substring (all bound parameters).
   */
  async page(filter: DocumentFilter, afterId: number, first: number): Promise<{ items: DocumentRecord[]; hasNextPage: boolean }> {
    const [page] = await this.pageMany([filter.corpusId], filter, afterId, first);
    return page!;
  }

  /**
   * The same page (filters, `afterId`, `first`) for several corpora in one statement: a window
   * over each corpus keeps its first `first` + 1 rows. Pages come back in the order of
   * `corpusIds`. This is what lets a nested `corpora { documents }` query cost one statement.
   */
  async pageMany(
    corpusIds: readonly number[],
    filter: Omit<DocumentFilter, 'corpusId'>,
    afterId: number,
    first: number,
  ): Promise<{ items: DocumentRecord[]; hasNextPage: boolean }[]> {
    const params: unknown[] = [corpusIds, afterId, first + 1];
    const where = ['corpus_id = ANY($1::int[])', 'id > $2'];
    if (filter.source !== undefined) {
      params.push(filter.source);
      where.push(`source = $${params.length}`);
    }
    if (filter.metadata !== undefined) {
      params.push(JSON.stringify(filter.metadata));
      where.push(`metadata @> $${params.length}::jsonb`);
    }
    if (filter.textContains !== undefined) {
      params.push(`%${likeLiteral(filter.textContains)}%`);
      where.push(`text ILIKE $${params.length}`);
    }
    const rows = await this.sql.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM (
         SELECT ${DOCUMENT_COLUMNS}, row_number() OVER (PARTITION BY corpus_id ORDER BY id) AS rn
           FROM documents WHERE ${where.join(' AND ')}
       ) ranked WHERE rn <= $3 ORDER BY corpus_id, id`,
      params,
    );
    const byCorpus = new Map<number, DocumentRecord[]>();
    for (const row of rows) {
      const record = toRecord(row);
      const list = byCorpus.get(record.corpusId) ?? [];
      list.push(record);
      byCorpus.set(record.corpusId, list);
    }
    return corpusIds.map((id) => {
      const list = byCorpus.get(id) ?? [];
      return { items: list.slice(0, first), hasNextPage: list.length > first };
    });
  }

  /** Documents by id, in the order of `ids` (null where absent): one statement. */
  async findManyByIds(ids: readonly number[]): Promise<(DocumentRecord | null)[]> {
    const rows = await this.sql.query<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE id = ANY($1::int[])`, [ids]);
    const byId = new Map(rows.map((r) => [Number(r.id), toRecord(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Ids of a corpus's documents after `afterId`, ascending, at most `limit`. */
  async idsInCorpus(corpusId: number, afterId: number, limit: number): Promise<number[]> {
    const rows = await this.sql.query<{ id: number }>('SELECT id FROM documents WHERE corpus_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
      corpusId,
      afterId,
      limit,
    ]);
    return rows.map((r) => Number(r.id));
  }

  /** How many of a corpus's documents have a projection in a space. */
  async countProjected(corpusId: number, spaceId: number): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM document_projections p JOIN documents d ON d.id = p.document_id
        WHERE d.corpus_id = $1 AND p.space_id = $2`,
      [corpusId, spaceId],
    );
    return Number(row?.n ?? 0);
  }

  /** Number of documents stored in a corpus. */
  async countInCorpus(corpusId: number): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM documents WHERE corpus_id = $1', [corpusId]);
    return Number(row?.n ?? 0);
  }
}
