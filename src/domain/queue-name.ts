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
