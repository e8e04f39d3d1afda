/** A stored document of a corpus. */
export interface DocumentRecord {
  readonly id: number;
  readonly corpusId: number;
  readonly externalId: string;
  readonly text: string;
  readonly source: string;
  readonly metadata: Record<string, unknown>;
  readonly tokenCount: number | null;
  readonly contentHash: string;
  readonly createdAt: Date;
}
