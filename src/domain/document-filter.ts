/** Which documents of a corpus a page lists. */
export interface DocumentFilter {
  readonly corpusId: number;
  readonly source?: string;
  /** JSON object the metadata must contain (`metadata @> filter`). */
  readonly metadata?: Record<string, unknown>;
  /** Case-insensitive substring of the text. */
  readonly textContains?: string;
}
