/** Queue of document projection batches (docs/design.md "Components and data flow": project docs → document_projections). */
export const PROJECT_DOCUMENTS = 'tracebase.project-documents';
/** Where jobs go after their last retry failed, with the error. */
export const DEAD_LETTER = 'tracebase.dead-letter';
/** Queue of query computations: nats, preconditioned gradient, vectors and the model's greedy answer. */
export const COMPUTE_QUERY_GRADIENTS = 'tracebase.compute-query-gradients';
/** Queue of whole-corpus scoring: projected or exact scores of every document of a space, cached. */
export const SCORE_CORPUS = 'tracebase.score-corpus';

/** Every queue Tracebase creates. */
export const QUEUES = [PROJECT_DOCUMENTS, DEAD_LETTER, COMPUTE_QUERY_GRADIENTS, SCORE_CORPUS] as const;
export type QueueName = (typeof QUEUES)[number];

/** Payload of a project-documents job: one batch of a corpus's documents in one space. */
export interface ProjectDocumentsJob {
  readonly spaceId: number;
  readonly corpusId: number;
  /** Document row ids, ascending. */
  readonly documentIds: number[];
}

/** Payload of a compute-query-gradients job: stored queries, one factor set, the spaces to project into. */
export interface ComputeQueryGradientsJob {
  /** Query row ids, ascending. */
  readonly queryIds: number[];
  readonly factorSetId: number;
  /** Projection space ids, ascending. */
  readonly spaceIds: number[];
}

/**
 * Payload of a score-corpus job for one query in one space under one factor set. PROJECTED: every
 * document of the space, chunked inside the job. EXACT: the listed documents (one chunk).
 */
export interface ScoreCorpusJob {
  readonly method: 'PROJECTED' | 'EXACT';
  readonly queryId: number;
  readonly factorSetId: number;
  readonly spaceId: number;
  /** EXACT: document row ids of this chunk, ascending; absent for PROJECTED. */
  readonly documentIds?: number[];
}
