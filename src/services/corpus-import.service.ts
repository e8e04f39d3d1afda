import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';

import { ForbiddenError } from '../auth/auth.error';
import { InvalidInputError, TracebaseError } from '../errors/tracebase.error';
import {
  contentHash,
  DEFAULT_MAX_TEXT_BYTES,
  duplicateIdReason,
  maxCorpusLineBytes,
  parseCorpusLine,
  type CorpusLine,
  type RejectedLine,
  tooLongLineReason,
} from '../io/corpus-line.parser';
import { readJsonlLines } from '../io/jsonl-line.reader';
import type { CorpusRepository } from '../repositories/corpus.repository';
import type { DocumentRepository, ImportReportEntry } from '../repositories/document.repository';
import { CorpusFileError } from './corpus-import.error';

/** Options of one import. */
export interface CorpusImportOptions {
  /** Longest accepted text in UTF-8 bytes (default 1 MiB). */
  readonly maxTextBytes?: number;
  /** Documents per transaction (default 500). */
  readonly batchSize?: number;
  /** Most report entries stored with the import (default 1000; all are counted). */
  readonly maxReportEntries?: number;
  readonly description?: string;
  /** Called after each batch with the lines read so far and the file's size. */
  readonly onProgress?: (progress: { lines: number; bytesRead: number; totalBytes: number; accepted: number }) => void;
  /**
   * Called for every rejected line, in file order, with the line's bytes (without its
   * end-of-line; undefined for a line too long to read). Unlike the stored report, never capped.
   */
  readonly onRejected?: (rejected: RejectedLine, bytes: Buffer | undefined) => void;
}

/** What an import did. */
export interface CorpusImportSummary {
  readonly corpusId: number;
  readonly importId: number;
  readonly file: string;
  readonly fileSha256: string;
  readonly lines: number;
  /** New documents stored. */
  readonly accepted: number;
  /** Lines whose id was already stored with the same text. */
  readonly unchanged: number;
  /** Lines whose id was already stored with a different text (not overwritten). */
  readonly conflicts: number;
  readonly rejected: number;
  /** The first report entries (rejections and conflicts), by line. */
  readonly report: ImportReportEntry[];
  readonly documentCount: number;
}

const DEFAULTS = { maxTextBytes: DEFAULT_MAX_TEXT_BYTES, batchSize: 500, maxReportEntries: 1000 };

/** An accepted line with the sha256 of its text (`contentHash`). */
type DocumentInput = CorpusLine & { readonly contentHash: string };

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The size of `file` in bytes; {@link CorpusFileError} when it is not a readable regular file. */
function statCorpusFile(file: string): number {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    return stat.size;
  } catch (error) {
    throw new CorpusFileError(`cannot read corpus file ${file}: ${(error as Error).message}`, file);
  }
}

/**
 * Imports a JSONL corpus file (`id`, `text`, optional `source`, `metadata`, other fields kept in
 * metadata) into the corpus `name`, streaming: memory stays flat in the file size. Lines are
 * validated one by one; accepted documents are stored in batches, each in one transaction with
 * the import's counters; rejected lines are reported with their line number and reason and
 * stored with the import. Re-importing a file changes nothing; an existing id with a changed
 * text is reported as a conflict and never overwritten. A file without a non-blank line is
 * refused ({@link CorpusFileError}) and creates nothing (docs/database.md "Corpus import").
 */
export class CorpusImportService {
  constructor(
    private readonly corpora: CorpusRepository,
    private readonly documents: DocumentRepository,
  ) {}

  /**
   * importCorpus: imports `file`, a path relative to the server's import directory, refusing
   * when imports are disabled (no directory) or the path leaves the directory.
   */
  importFromDirectory(importDir: string | undefined, name: string, file: string): Promise<CorpusImportSummary> {
    if (!importDir)
      throw new TracebaseError(
        'IMPORTS_DISABLED',
        'server-side imports are disabled: start the server with TRACEBASE_IMPORT_DIR (or use `tracebase corpus import`)',
      );
    const absolute = path.resolve(importDir, file);
    if (absolute !== importDir && !absolute.startsWith(`${importDir}${path.sep}`)) throw new ForbiddenError(`${file} is outside the import directory`);
    return this.importFile(name, absolute);
  }

  /**
   * Reads `file` with the line rules of {@link importFile} and writes nothing: how many lines
   * would be stored or rejected (each rejection through `onRejected`). Ids repeated within a
   * batch are found by the import itself. Refuses a file without a non-blank line.
   */
  async checkFile(
    file: string,
    options: Pick<CorpusImportOptions, 'maxTextBytes' | 'onRejected'> = {},
  ): Promise<{ readonly lines: number; readonly documents: number; readonly rejected: number }> {
    const maxTextBytes = options.maxTextBytes ?? DEFAULTS.maxTextBytes;
    statCorpusFile(file);
    let lines = 0;
    let documents = 0;
    let rejected = 0;
    try {
      for await (const line of readJsonlLines(file, maxCorpusLineBytes(maxTextBytes))) {
        lines = line.lineNumber;
        const checked =
          line.tooLong !== undefined
            ? { rejected: { line: line.lineNumber, reason: tooLongLineReason(line.tooLong) } }
            : parseCorpusLine(line.lineNumber, line.bytes, { maxTextBytes });
        if (checked === undefined) continue;
        if ('rejected' in checked) {
          rejected++;
          options.onRejected?.(checked.rejected, line.bytes);
        } else documents++;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).syscall) throw new CorpusFileError(`reading ${file} failed after line ${lines}: ${(error as Error).message}`, file);
      throw error;
    }
    if (documents + rejected === 0) throw new CorpusFileError(`${file} holds no documents (no non-blank line); nothing was imported`, file);
    return { lines, documents, rejected };
  }

  async importFile(name: string, file: string, options: CorpusImportOptions = {}): Promise<CorpusImportSummary> {
    const maxTextBytes = options.maxTextBytes ?? DEFAULTS.maxTextBytes;
    const batchSize = options.batchSize ?? DEFAULTS.batchSize;
    const maxReport = options.maxReportEntries ?? DEFAULTS.maxReportEntries;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) {
      throw new InvalidInputError(`corpus name "${name}" must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new InvalidInputError(`batch size must be 1..10000, got ${batchSize}`);
    }
    const totalBytes = statCorpusFile(file);

    // the corpus and its import record are created with the first non-blank line: an empty file
    // is an error, not an empty corpus
    let target: { corpusId: number; importId: number } | undefined;
    const report: ImportReportEntry[] = [];
    let lines = 0;
    let bytesRead = 0;
    const totals = { accepted: 0, unchanged: 0, conflicts: 0, rejected: 0 };
    let batch: DocumentInput[] = [];
    let batchRejected: RejectedLine[] = [];
    let batchIds = new Map<string, number>();

    const flush = async () => {
      if (target === undefined) {
        const corpus = await this.corpora.findOrCreate(name, options.description ?? '');
        const run = await this.corpora.startImport(corpus.id, path.basename(file));
        target = { corpusId: corpus.id, importId: run.id };
      }
      const result = await this.documents.importBatch(target.corpusId, batch, {
        importId: target.importId,
        rejected: batchRejected,
        reportBudget: maxReport - report.length,
      });
      report.push(...result.reportEntries);
      totals.accepted += result.inserted.length;
      totals.unchanged += result.unchanged.length;
      totals.conflicts += result.conflicting.length;
      totals.rejected += batchRejected.length;
      batch = [];
      batchRejected = [];
      batchIds = new Map();
      options.onProgress?.({ lines, bytesRead, totalBytes, accepted: totals.accepted });
    };

    try {
      for await (const line of readJsonlLines(file, maxCorpusLineBytes(maxTextBytes))) {
        lines = line.lineNumber;
        if (line.tooLong !== undefined) {
          bytesRead += line.tooLong + 1;
          const rejected = { line: line.lineNumber, reason: tooLongLineReason(line.tooLong) };
          batchRejected.push(rejected);
          options.onRejected?.(rejected, undefined);
        } else {
          bytesRead += line.bytes.length + 1;
          const checked = parseCorpusLine(line.lineNumber, line.bytes, { maxTextBytes });
          if (checked === undefined) {
            // a blank line
          } else if ('rejected' in checked) {
            batchRejected.push(checked.rejected);
            options.onRejected?.(checked.rejected, line.bytes);
          } else {
            const first = batchIds.get(checked.document.externalId);
            if (first !== undefined) {
              const rejected = {
                line: line.lineNumber,
                id: checked.document.externalId,
                reason: duplicateIdReason(checked.document.externalId, first),
              };
              batchRejected.push(rejected);
              options.onRejected?.(rejected, line.bytes);
            } else {
              batchIds.set(checked.document.externalId, line.lineNumber);
              batch.push({ ...checked.document, contentHash: contentHash(checked.document.text) });
            }
          }
        }
        if (batch.length >= batchSize || batchRejected.length >= batchSize) await flush();
      }
      if (batch.length > 0 || batchRejected.length > 0) await flush();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== undefined && (error as NodeJS.ErrnoException).syscall) {
        throw new CorpusFileError(
          `reading ${file} failed after line ${lines}: ${(error as Error).message}. The batches before it are stored; ` +
            'importing the file again completes the import without duplicating anything',
          file,
        );
      }
      throw error;
    }
    if (target === undefined) {
      throw new CorpusFileError(`${file} holds no documents (no non-blank line); nothing was imported`, file);
    }
    const fileSha256 = await sha256OfFile(file).catch(() => '');
    await this.corpora.finishImport(target.importId, fileSha256 || null);
    return {
      corpusId: target.corpusId,
      importId: target.importId,
      file,
      fileSha256,
      lines,
      ...totals,
      report,
      documentCount: await this.documents.countInCorpus(target.corpusId),
    };
  }
}
