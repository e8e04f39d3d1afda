/** Queue of document projection batches (DESIGN.md §4: project docs → document_projections). */
export const PROJECT_DOCUMENTS = 'tracebase.project-documents';
/** Where jobs go after their last retry failed, with the error. */
export const DEAD_LETTER = 'tracebase.dead-letter';

/** Every queue Tracebase creates. */
export const QUEUES = [PROJECT_DOCUMENTS, DEAD_LETTER] as const;
export type QueueName = (typeof QUEUES)[number];

/** Payload of a project-documents job: one batch of a corpus's documents in one space. */
export interface ProjectDocumentsJob {
  readonly spaceId: number;
  readonly corpusId: number;
  /** Document row ids, ascending. */
  readonly documentIds: number[];
}
