/** A corpus as the services see it. */
export interface CorpusRecord {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly documentCount: number;
  readonly createdAt: Date;
}

/** One import of a JSONL file into a corpus, with its counts and report. */
export interface CorpusImportRecord {
  readonly id: number;
  readonly corpusId: number;
  readonly fileName: string;
  readonly fileSha256: string | null;
  readonly accepted: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly conflicts: number;
  readonly report: unknown;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}
