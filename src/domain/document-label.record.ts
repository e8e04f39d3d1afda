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
